// The price API (CoinGecko): held assets the exchange stream does not carry (or has not priced
// lately) are polled and enter the tick pipeline like any other tick; a price asked for on
// request waits a few seconds for it. A token of a configured EVM chain is asked for by its
// contract address on the chain's platform, never by its symbol (which any other coin may
// share): a contract the price API does not know leaves the token unpriced. A dollar stablecoin nobody prices is valued at its peg, as
// a tick whose source says so (`peg`): never at zero.
import type { ServiceBroker } from 'moleculer';
import { FIAT_CURRENCIES } from '../../domain/portfolio.ts';
import { USD_STABLECOINS } from '../../domain/valuation.ts';
import type { Providers } from '../../infra/providers.ts';
import type { EvmChainConfig } from '../../domain/providers.ts';
import { ProviderError } from '../../domain/providers.ts';
import type { TickPipeline } from './ticks.ts';

/** A held asset whose last price is older than this is asked of the price API. */
const STREAM_STALE_MS = 120_000;
/** A symbol the price API could not price is asked again on request after this long (the poll asks every interval). */
const UNPRICEABLE_KEEP_MS = 60_000;

/** Where the price API lists a token: its chain's platform and its contract address. */
interface TokenListing {
  platform: string;
  address: string;
}

/** The configured chains' tokens by symbol, where their chain names a price platform (the first chain listing a symbol wins). */
export function tokenListings(chains: readonly EvmChainConfig[]): Map<string, TokenListing> {
  const listings = new Map<string, TokenListing>();
  for (const chain of chains)
    for (const token of chain.tokens)
      if (chain.priceApiPlatform && !listings.has(token.symbol))
        listings.set(token.symbol, {
          platform: chain.priceApiPlatform,
          address: token.address.toLowerCase(),
        });
  return listings;
}

export class PriceApi {
  /** CoinGecko ids by ticker symbol (listed once) */
  private ids?: Map<string, string>;
  /** symbols the price API was just asked for and could not price: not asked again on request until then */
  private readonly unpriceableUntil = new Map<string, number>();

  /** `enabled`: a price API is configured (without one, only the peg stands in). */
  constructor(
    private readonly ticks: TickPipeline,
    private readonly logger: ServiceBroker['logger'],
    private readonly providers: Providers,
    readonly enabled: boolean,
    /** every asset anyone holds (one read shared with the market's other tasks) */
    private readonly heldAssets: () => Promise<string[]>,
    /** the configured chains' tokens, asked for by contract */
    private readonly tokens: ReadonlyMap<string, TokenListing> = new Map(),
  ) {}

  /** Of `symbols`, those to ask now on request: no market price, not fiat, not just found unpriceable. */
  lacking(symbols: string[]): string[] {
    const now = Date.now();
    return symbols.filter(
      (s) =>
        !FIAT_CURRENCIES.has(s) &&
        (this.ticks.lastPrices.get(s)?.source ?? 'peg') === 'peg' &&
        (this.unpriceableUntil.get(s) ?? 0) < now,
    );
  }

  /** Held assets with no live price, a price from the price API (or a peg) to refresh, or a stale one. */
  async pollHeld(): Promise<void> {
    const held = await this.heldAssets();
    const now = Date.now();
    const stale = held.filter((a) => {
      const last = this.ticks.lastPrices.get(a);
      return (
        !FIAT_CURRENCIES.has(a) &&
        (!last || last.source === 'peg' || last.source === 'coingecko' || now - last.ts > STREAM_STALE_MS)
      );
    });
    await this.price(stale);
  }

  /**
   * Asks the price API for these symbols and feeds what it answers into the pipeline; a dollar
   * stablecoin it cannot price gets its peg. Waits at most `waitMs` for the answer (then carries on).
   */
  async price(symbols: string[], waitMs?: number): Promise<void> {
    if (!symbols.length) return;
    const ask = async () => {
      let priced = new Set<string>();
      let answered = false;
      if (this.enabled) {
        try {
          priced = await this.ask(symbols);
          answered = true;
        } catch (err) {
          this.logger.warn(
            { symbols: symbols.length, err: (err as Error).message },
            'the price API did not answer',
          );
        }
      }
      const now = Date.now();
      // many portfolios activating with a coin the price API does not know ask once a minute,
      // not each (an outage is no answer: asked again at once)
      for (const symbol of symbols)
        if (answered && !priced.has(symbol)) this.unpriceableUntil.set(symbol, now + UNPRICEABLE_KEEP_MS);
        else this.unpriceableUntil.delete(symbol);
      for (const symbol of symbols)
        if (!priced.has(symbol) && !this.ticks.lastPrices.has(symbol) && USD_STABLECOINS.has(symbol)) {
          this.logger.info({ symbol }, 'no market price for a stablecoin: valued at its peg until one comes');
          this.ticks.push({ symbol, price: '1', ts: now, source: 'peg' });
        }
      // the pipeline publishes on the next turn of the event loop: wait for it
      await new Promise((resolve) => setImmediate(resolve));
    };
    const asked = ask();
    if (waitMs === undefined) return asked;
    await Promise.race([asked, new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
  }

  /** A coin's (or a listed token's) daily closes (USD) from the price API; undefined when it does not know it. */
  async dailyCloses(symbol: string, from: string, to: string): Promise<Map<string, string> | undefined> {
    if (!this.enabled) return undefined;
    const token = this.tokens.get(symbol);
    if (token)
      return this.providers
        .coingecko()
        .tokenDailyCloses(token.platform, token.address, 'USD', from, to)
        .catch((err: unknown) => {
          if (err instanceof ProviderError && err.code === 'NOT_FOUND') return undefined;
          throw err;
        });
    const id = (await this.coinIds()).get(symbol);
    return id ? this.providers.coingecko().dailyCloses(id, 'USD', from, to) : undefined;
  }

  /** CoinGecko's coin ids by ticker symbol (listed once). */
  private async coinIds(): Promise<Map<string, string>> {
    if (!this.ids) {
      const ids = new Map<string, string>();
      // several coins can share a ticker; the first listed wins (a curated map would be better)
      for (const c of await this.providers.coingecko().listCoins())
        if (!ids.has(c.symbol)) ids.set(c.symbol, c.id);
      this.ids = ids;
    }
    return this.ids;
  }

  /** CoinGecko's prices of these symbols (tokens by contract), fed into the pipeline; returns the symbols it priced. */
  private async ask(symbols: string[]): Promise<Set<string>> {
    const coinIds = await this.coinIds();
    const coin = this.providers.coingecko();
    const bySymbol = new Map<string, string>();
    const byPlatform = new Map<string, Map<string, string>>();
    for (const symbol of symbols) {
      const token = this.tokens.get(symbol);
      if (token) {
        const asked = byPlatform.get(token.platform) ?? new Map<string, string>();
        byPlatform.set(token.platform, asked.set(token.address, symbol));
      } else if (coinIds.has(symbol)) bySymbol.set(coinIds.get(symbol) as string, symbol);
    }
    const answers = await Promise.all([
      coin.getPrices([...bySymbol.keys()], ['USD']).then((quotes) => ({ quotes, names: bySymbol })),
      ...[...byPlatform].map(([platform, names]) =>
        coin.getTokenPrices(platform, [...names.keys()], ['USD']).then((quotes) => ({ quotes, names })),
      ),
    ]);
    const now = Date.now();
    const priced = new Set<string>();
    for (const { quotes, names } of answers)
      for (const q of quotes) {
        const symbol = names.get(q.id);
        if (!symbol) continue;
        // stamped when learnt: CoinGecko's last update of a quiet coin can be minutes old, and
        // it is still the latest price (the stream's staleness check would refuse it)
        this.ticks.push({ symbol, price: q.price, ts: now, source: 'coingecko' });
        priced.add(symbol);
      }
    this.logger.debug({ asked: symbols.length, priced: priced.size }, 'asked the price API');
    return priced;
  }
}
