import { describe, expect, it, vi } from 'vitest';
import { Serializers } from 'moleculer';
import { WireSerializer } from './serializer.ts';

const wire = new WireSerializer();
const jsonExt = new Serializers.JSONExt();

/** An event packet's payload as Moleculer's transit builds it. */
const eventPacket = (event: string, data: unknown, meta: Record<string, unknown> = {}) => ({
  ver: '5',
  sender: 'node-1',
  id: 'c1',
  event,
  data,
  groups: ['portfolio'],
  broadcast: true,
  meta,
  headers: {},
  level: 1,
  tracing: null,
  parentID: null,
  requestID: 'c1',
  caller: null,
  needAck: null,
});

describe('WireSerializer', () => {
  it('writes the real-time events as plain JSON, read back equal by it and by JSONExt', () => {
    const packet = eventPacket('market.ticks', { ticks: [{ symbol: 'BTC', price: '50000.1', ts: 1 }] });
    // the shortcut: JSONExt's per-value hooks are not called at all
    // (JSONExt's hooks are missing from Moleculer's typings)
    const hooks = wire as unknown as Record<'replacer' | 'reviver', (...args: unknown[]) => unknown>;
    const replacer = vi.spyOn(hooks, 'replacer');
    const reviver = vi.spyOn(hooks, 'reviver');
    const buf = wire.serialize(packet, 'EVENT');
    expect(buf.toString()).toBe(JSON.stringify(packet));
    expect(wire.deserialize(buf)).toEqual(packet);
    expect([replacer.mock.calls.length, reviver.mock.calls.length]).toEqual([0, 0]);
    expect(jsonExt.deserialize(buf)).toEqual(packet);
    wire.serialize(eventPacket('wallet.synced', { userId: 'u' }), 'EVENT');
    expect(replacer).toHaveBeenCalled();
    vi.restoreAllMocks();
  });

  it('keeps JSONExt for every other packet: Dates, BigInts, Maps survive the hop', () => {
    const data = {
      at: new Date(1_700_000_000_000),
      units: 10n ** 30n,
      byDay: new Map([['2026-12-03', '1']]),
    };
    const packet = eventPacket('wallet.synced', data);
    const buf = wire.serialize(packet, 'EVENT');
    expect(buf.equals(jsonExt.serialize(packet))).toBe(true);
    expect(wire.deserialize(buf)).toEqual(packet);
  });

  it('falls back to JSONExt for a real-time event whose meta is not empty (it may hold a Date)', () => {
    const packet = eventPacket('portfolio.pushes', { pushes: [] }, { since: new Date(5) });
    const back = wire.deserialize(wire.serialize(packet, 'EVENT')) as typeof packet;
    expect(back.meta.since).toEqual(new Date(5));
  });

  it('escapes a string that starts with "[[" as JSONExt does, on either path', () => {
    const packet = eventPacket('portfolio.pushes', {
      pushes: [{ userId: '[[DT]]5', epoch: 'e', seq: 1, prevSeq: 0, frame: '{}' }],
    });
    const buf = wire.serialize(packet, 'EVENT');
    expect(buf.equals(jsonExt.serialize(packet))).toBe(true);
    expect(wire.deserialize(buf)).toEqual(packet);
    expect(jsonExt.deserialize(buf)).toEqual(packet);
  });

  it('reads what JSONExt wrote, tagged values included', () => {
    const packet = { ver: '5', sender: 'n', data: { at: new Date(7), n: 3n, text: '[[not a tag' } };
    expect(wire.deserialize(jsonExt.serialize(packet))).toEqual(packet);
  });
});
