import { describe, expect, it } from 'vitest';
import { SeededRandom } from './random.ts';

describe('SeededRandom', () => {
  it('repeats itself for the same seed and differs for another', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const draw = (r: SeededRandom) => Array.from({ length: 5 }, () => r.next());
    const first = draw(a);
    expect(draw(b)).toEqual(first);
    expect(draw(c)).not.toEqual(first);
  });

  it('forks independent streams', () => {
    const root = new SeededRandom(7);
    const x1 = root.fork('x').next();
    root.next();
    root.next();
    expect(root.fork('x').next()).toBe(x1);
    expect(root.fork('y').next()).not.toBe(x1);
  });

  it('stays in range', () => {
    const r = new SeededRandom(1);
    for (let i = 0; i < 1000; i += 1) {
      const v = r.int(3, 5);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThanOrEqual(5);
    }
    expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
