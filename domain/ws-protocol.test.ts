import { describe, expect, it } from 'vitest';
import { parseClientMessage, parseSince, tokenFromUpgrade } from './ws-protocol.ts';

describe('parseClientMessage', () => {
  it('accepts ping and auth', () => {
    expect(parseClientMessage('{"type":"ping","id":"1"}')).toEqual({
      ok: true,
      message: { type: 'ping', id: '1' },
    });
    expect(parseClientMessage('{"type":"auth","token":"a.b.c"}')).toEqual({
      ok: true,
      message: { type: 'auth', token: 'a.b.c' },
    });
  });
  it.each([
    ['not json', 'MALFORMED_JSON'],
    ['[1,2]', 'MALFORMED_JSON'],
    ['"ping"', 'MALFORMED_JSON'],
    ['{"type":"launch"}', 'UNKNOWN_TYPE'],
    ['{"type":"auth","token":{"$gt":""}}', 'VALIDATION_FAILED'],
    ['{"type":"ping","id":5}', 'VALIDATION_FAILED'],
  ])('rejects %s with %s', (raw, code) => expect(parseClientMessage(raw)).toMatchObject({ ok: false, code }));
  it('rejects oversized text', () =>
    expect(parseClientMessage(`{"type":"ping","id":"${'x'.repeat(20_000)}"}`)).toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
    }));
});

describe('tokenFromUpgrade', () => {
  it('prefers the bearer subprotocol', () =>
    expect(tokenFromUpgrade('finexia.v1, bearer.aaa.bbb.ccc', '/ws?access_token=zzz')).toBe('aaa.bbb.ccc'));
  it('falls back to the query string', () =>
    expect(tokenFromUpgrade(undefined, '/ws?access_token=zzz')).toBe('zzz'));
  it('finds nothing when nothing is sent', () =>
    expect(tokenFromUpgrade('finexia.v1', '/ws')).toBeUndefined());
});

describe('resuming', () => {
  const epoch = '0b5f7a36-6d1c-4d59-9f0e-2f6f4b1f3c11';
  it('accepts a resume message with the last epoch and sequence', () =>
    expect(parseClientMessage(JSON.stringify({ type: 'resume', epoch, seq: 12 }))).toEqual({
      ok: true,
      message: { type: 'resume', epoch, seq: 12 },
    }));
  it('names the bad field of a resume message', () => {
    expect(parseClientMessage(JSON.stringify({ type: 'resume', epoch, seq: -1 }))).toMatchObject({
      ok: false,
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining("'seq'"),
    });
    expect(parseClientMessage(JSON.stringify({ type: 'resume', seq: 1 }))).toMatchObject({
      message: expect.stringContaining("'epoch'"),
    });
  });
  it('reads since=epoch.seq from the connect URL', () => {
    expect(parseSince(`/ws?access_token=x&since=${epoch}.7`)).toEqual({ epoch, seq: 7 });
    expect(parseSince('/ws?since=nope.7')).toBeUndefined();
    expect(parseSince('/ws')).toBeUndefined();
  });
});
