// Candles in MongoDB: the closed ones the tick pipeline's book hands over are stored every few
// seconds (a failed store waits for the next round), old ones pruned hourly by retention; reads
// add the book's still-open candle.
import type { ServiceBroker } from 'moleculer';
import { CANDLE_INTERVALS, type CandleInterval, type CandleView } from '@finexia/contracts/api.ts';
import { CANDLE_RETENTION_MS, INTERVAL_MS, type CandleBook } from '../../domain/candles.ts';
import { insertNew } from '../../infra/db.ts';
import { CandleModel, type CandleRecord } from '../../infra/models/candle.model.ts';

const PRUNE_EVERY_MS = 3_600_000;

export class CandleStore {
  private lastPrune = 0;

  constructor(
    private readonly book: CandleBook,
    private readonly logger: ServiceBroker['logger'],
  ) {}

  /** Stores the candles that closed; on failure they wait for the next round. Prunes hourly. */
  async flush(): Promise<void> {
    const closed = this.book.drainClosed();
    try {
      if (closed.length)
        await insertNew(
          CandleModel,
          closed.map((c) => ({ ...c, _id: `${c.symbol}:${c.interval}:${c.t}`, t: new Date(c.t) })),
        );
      if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
        this.lastPrune = Date.now();
        for (const interval of CANDLE_INTERVALS) {
          const keep = CANDLE_RETENTION_MS[interval];
          if (keep !== null)
            await CandleModel.deleteMany({ interval, t: { $lt: new Date(Date.now() - keep) } });
        }
      }
    } catch (err) {
      this.book.restore(closed);
      this.logger.warn(
        { err: (err as Error).message, candles: closed.length },
        'candles not stored; retrying',
      );
    }
  }

  /** A symbol's candles from `from` to `to`, oldest first, at most `limit`; the open one last. */
  async read(
    symbol: string,
    interval: CandleInterval,
    from: Date,
    to: Date,
    limit: number,
  ): Promise<CandleView[]> {
    const stored = await CandleModel.find({ symbol, interval, t: { $gte: from, $lte: to } })
      .sort({ t: -1 })
      .limit(limit)
      .lean<CandleRecord[]>();
    const candles = stored.reverse().map(({ _id, t, ...c }) => ({ ...c, t: t.toISOString() }));
    const open = this.book.current(symbol, interval);
    if (
      open &&
      open.t >= from.getTime() &&
      open.t <= to.getTime() &&
      candles.at(-1)?.t !== new Date(open.t).toISOString()
    )
      candles.push({ ...open, t: new Date(open.t).toISOString() });
    return candles.slice(-limit);
  }

  /** Each symbol's open of the hour that starts at `hour`, from the book or the stored candles. */
  async hourOpens(symbols: string[], hour: number): Promise<Record<string, string>> {
    const opens: Record<string, string> = {};
    const stored: string[] = [];
    for (const symbol of symbols) {
      const open = this.book.current(symbol, '1h');
      if (open?.t === hour) opens[symbol] = open.open;
      else stored.push(symbol);
    }
    if (stored.length)
      for (const c of await CandleModel.find({
        interval: '1h',
        t: new Date(hour),
        symbol: { $in: stored },
      }).lean<CandleRecord[]>())
        opens[c.symbol] = c.open;
    return opens;
  }
}

export const HOUR_MS = INTERVAL_MS['1h'];
