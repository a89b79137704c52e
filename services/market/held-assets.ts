// The assets anyone holds: one read of every holding (on FerretDB a scan of the whole collection,
// ~20 s at 300,000 holdings: docs/ferretdb.md), shared by the market's tasks that need it — the
// price API's poll and the securities feed's follow. Both run at start: each read it, so a
// restarted market scanned the holdings twice while the portfolios beside it were activating.

/** How long one read of the held assets answers every task that asks. */
export const HELD_FRESH_MS = 60_000;

export class HeldAssets {
  private last: { at: number; assets: Promise<string[]> } | undefined;

  /** `read`: one read of every asset held (the holdings' distinct assets). */
  constructor(
    private readonly read: () => Promise<string[]>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Every asset held by anyone: read now, or shared with a read made in the last minute (or under way). */
  list(): Promise<string[]> {
    const now = this.now();
    if (this.last && now - this.last.at < HELD_FRESH_MS) return this.last.assets;
    const assets = this.read();
    const read = { at: now, assets };
    this.last = read;
    // a failed read is not shared: the next task reads again
    assets.catch(() => {
      if (this.last === read) this.last = undefined;
    });
    return assets;
  }
}
