// One read of the held assets answers every task that asks within a minute, under way or done;
// a failed read is not kept.
import { describe, expect, it } from 'vitest';
import { HELD_FRESH_MS, HeldAssets } from './held-assets.ts';

describe('the held assets, read once for the market’s tasks', () => {
  it('shares a read under way and a fresh one, and reads again once it is a minute old', async () => {
    let reads = 0;
    let clock = 1_000_000;
    const held = new HeldAssets(
      async () => {
        reads += 1;
        return ['BTC', `read-${reads}`];
      },
      () => clock,
    );
    // the price API's poll and the feed's follow, both at start
    const [poll, follow] = await Promise.all([held.list(), held.list()]);
    expect(poll).toEqual(['BTC', 'read-1']);
    expect(follow).toBe(poll);
    clock += HELD_FRESH_MS - 1;
    expect(await held.list()).toEqual(['BTC', 'read-1']);
    clock += 1;
    expect(await held.list()).toEqual(['BTC', 'read-2']);
    expect(reads).toBe(2);
  });

  it('does not keep a failed read: the next task reads again', async () => {
    let reads = 0;
    const held = new HeldAssets(async () => {
      reads += 1;
      if (reads === 1) throw new Error('FerretDB went away');
      return ['ETH'];
    });
    await expect(held.list()).rejects.toThrow('FerretDB went away');
    expect(await held.list()).toEqual(['ETH']);
    expect(reads).toBe(2);
  });
});
