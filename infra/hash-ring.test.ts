import { describe, expect, it } from 'vitest';
import { HashRing } from './hash-ring.ts';

const keys = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

describe('HashRing', () => {
  it('gives every key one owner, the same on every node that builds the ring', () => {
    const a = new HashRing(['n1', 'n2', 'n3']);
    const b = new HashRing(['n3', 'n1', 'n2']);
    for (const k of keys.slice(0, 500)) expect(a.owner(k)).toBe(b.owner(k));
    expect(new HashRing([]).owner('x')).toBeUndefined();
  });

  it('spreads keys roughly evenly', () => {
    const ring = new HashRing(['n1', 'n2', 'n3']);
    const counts = new Map<string, number>();
    for (const k of keys) counts.set(ring.owner(k)!, (counts.get(ring.owner(k)!) ?? 0) + 1);
    for (const c of counts.values()) expect(c).toBeGreaterThan(2_500);
  });

  it('moves only the departed node’s keys when a node leaves', () => {
    const before = new HashRing(['n1', 'n2', 'n3']);
    const after = new HashRing(['n1', 'n2']);
    for (const k of keys) {
      if (before.owner(k) !== 'n3') expect(after.owner(k)).toBe(before.owner(k));
    }
  });

  it('moves about a quarter of the keys when a fourth node joins', () => {
    const before = new HashRing(['n1', 'n2', 'n3']);
    const after = new HashRing(['n1', 'n2', 'n3', 'n4']);
    const moved = keys.filter((k) => before.owner(k) !== after.owner(k));
    expect(moved.every((k) => after.owner(k) === 'n4')).toBe(true);
    expect(moved.length / keys.length).toBeGreaterThan(0.15);
    expect(moved.length / keys.length).toBeLessThan(0.35);
  });
});
