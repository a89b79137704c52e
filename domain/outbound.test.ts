import { describe, expect, it } from 'vitest';
import { addressProblem, outboundUrlProblem } from './outbound.ts';

const production = { allowLoopback: false };
const development = { allowLoopback: true };

describe('outbound URLs', () => {
  it('refuses every form that reaches inside, with production rules', () => {
    for (const url of [
      'https://[::ffff:7f00:1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://[::]/',
      'https://[fe80::1]/',
      'https://100.64.0.1/',
      'https://metadata.google.internal/',
      'https://127.0.0.1/',
      'https://[::1]/',
      'https://10.0.0.4/hook',
      'https://172.16.5.4/',
      'https://192.168.1.1/',
      'https://169.254.169.254/latest/meta-data/',
      'https://0.0.0.0/',
      'https://[fd00::1]/',
      'https://[64:ff9b::7f00:1]/',
      'https://[2002:7f00:1::]/',
      'https://224.0.0.1/',
      'https://localhost/',
      'https://printer.local/',
      'https://intranet/',
      // a decimal or hex IPv4 (the URL parser normalises it to 127.0.0.1)
      'https://2130706433/',
      'https://0x7f.0.0.1/',
    ])
      expect(outboundUrlProblem(url, production), url).toBeDefined();
  });

  it('accepts public names and addresses, https only in production; loopback in development', () => {
    expect(outboundUrlProblem('https://hooks.example.com/finexia', production)).toBeUndefined();
    expect(outboundUrlProblem('https://93.184.216.34/hook', production)).toBeUndefined();
    expect(outboundUrlProblem('https://[2606:4700::1111]/', production)).toBeUndefined();
    expect(outboundUrlProblem('http://hooks.example.com/', production)).toBe('must use https');
    expect(outboundUrlProblem('http://127.0.0.1:8080/hook', development)).toBeUndefined();
    expect(outboundUrlProblem('http://localhost:8080/hook', development)).toBeUndefined();
    expect(outboundUrlProblem('http://10.0.0.4/hook', development)).toBeDefined();
    expect(outboundUrlProblem('ftp://example.com', development)).toBe('must be an http(s) URL');
    expect(outboundUrlProblem('https://user:pw@example.com', development)).toBe('must not carry credentials');
    expect(outboundUrlProblem('not a url', development)).toBe('must be an absolute http(s) URL');
  });

  it('classifies resolved addresses: only public unicast passes', () => {
    expect(addressProblem('93.184.216.34', production)).toBeUndefined();
    expect(addressProblem('127.0.0.1', production)).toMatch(/loopback/);
    expect(addressProblem('127.0.0.1', development)).toBeUndefined();
    expect(addressProblem('::ffff:10.0.0.1', production)).toMatch(/IPv4-mapped/);
    expect(addressProblem('100.64.1.1', production)).toMatch(/carrier-grade NAT/);
    expect(addressProblem('fe80::1', development)).toMatch(/link-local/);
  });
});
