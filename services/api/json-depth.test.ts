import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds } from './json-depth.ts';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('jsonDepthExceeds', () => {
  it('counts objects and arrays, up to the limit and past it', () => {
    expect(jsonDepthExceeds(bytes('{"a":[{"b":1}]}'), 3)).toBe(false);
    expect(jsonDepthExceeds(bytes('{"a":[{"b":[]}]}'), 3)).toBe(true);
    expect(jsonDepthExceeds(bytes('['.repeat(20_000) + ']'.repeat(20_000)), 32)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(bytes(JSON.stringify({ name: '[[[[{{{{' })), 1)).toBe(false);
    expect(jsonDepthExceeds(bytes(JSON.stringify({ name: 'say \\"[[[[\\"' })), 1)).toBe(false);
    expect(jsonDepthExceeds(bytes(JSON.stringify({ a: 'x\\', b: [[1]] })), 2)).toBe(true);
  });

  it('a sequence of siblings is not depth', () => {
    expect(jsonDepthExceeds(bytes(JSON.stringify(Array.from({ length: 1000 }, () => ({ a: [1] })))), 3)).toBe(
      false,
    );
  });
});
