// What the providers hold, read from the simulators over HTTP as any client could: their public
// APIs (prices, closes, FX fixings) and their `/__sim/...` truth endpoints (an item's accounts and
// daily balances, an exchange account's holdings). The oracle's figures are computed from these.
import { exact, ONE, type Exact, type SecurityFacts } from './exact.ts';

export interface ProviderUrls {
  plaid: string;
  binance: string;
  coinbase: string;
  /** CoinGecko's API root (…/api/v3) */
  coingecko: string;
  fx: string;
  /** a Bitcoin chain's Esplora API */
  esplora: string;
  plaidClientId: string;
  plaidSecret: string;
  coingeckoKey: string;
  /** the US securities feed (Alpaca's shape) and its keys */
  securitiesFeed: { url: string; keyId: string; secret: string };
  /** an Ethereum node and the tokens on it, when the run has one, and the price API's platform they are listed on */
  ethereum?: {
    rpcUrl: string;
    tokens: { address: string; symbol: string; decimals: number }[];
    priceApiPlatform?: string;
  };
}

/** ABI selectors (the first 4 bytes of keccak-256 of the signature): facts of the ERC-20 standard. */
const BALANCE_OF = '0x70a08231'; // balanceOf(address)
const MINT = '0x40c10f19'; // mint(address,uint256): our token's own
const word = (hex: string) => hex.replace(/^0x/, '').toLowerCase().padStart(64, '0');

/** The simulators' addresses, from the environment the product's adapters are pointed with. */
export function providerUrls(env: Record<string, string>): ProviderUrls {
  const need = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`the oracle needs ${name}`);
    return value;
  };
  return {
    plaid: need('PLAID_URL'),
    binance: need('BINANCE_URL'),
    coinbase: need('COINBASE_URL'),
    coingecko: need('COINGECKO_URL'),
    fx: need('FX_URL'),
    esplora: need('ESPLORA_URL'),
    plaidClientId: need('PLAID_CLIENT_ID'),
    plaidSecret: need('PLAID_SECRET'),
    coingeckoKey: need('COINGECKO_API_KEY'),
    securitiesFeed: {
      url: need('SECURITIES_FEED_URL'),
      keyId: need('SECURITIES_FEED_KEY_ID'),
      secret: need('SECURITIES_FEED_SECRET'),
    },
    ...(env.EVM_CHAINS
      ? {
          ethereum: (
            JSON.parse(env.EVM_CHAINS) as {
              name: string;
              rpcUrl: string;
              tokens: { address: string; symbol: string; decimals: number }[];
              priceApiPlatform?: string;
            }[]
          )
            .filter((c) => c.name === 'ethereum')
            .map((c) => ({ rpcUrl: c.rpcUrl, tokens: c.tokens, priceApiPlatform: c.priceApiPlatform }))[0],
        }
      : {}),
  };
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url} → ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}
const post = <T>(url: string, body: unknown) =>
  json<T>(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** What a brokerage reports (Plaid Investments' shapes, the parts the oracle reads). */
export interface BrokerageTruth {
  accounts: { account_id: string; name: string; mask: string }[];
  holdings: {
    account_id: string;
    security_id: string;
    quantity: number;
    institution_price: number;
    iso_currency_code: string;
  }[];
  securities: (SecurityFacts & { security_id: string })[];
  /** every investment transaction (Plaid's signs: a positive amount left the account) */
  transactions: {
    account_id: string;
    security_id: string | null;
    date: string;
    quantity: number;
    amount: number;
    iso_currency_code: string;
  }[];
}

/** A bank account as the bank reports it now (Plaid: a card's or a loan's balance is what is owed). */
export interface BankAccountTruth {
  account_id: string;
  name: string;
  mask: string;
  type: string;
  balances: { current: number; iso_currency_code: string };
}

export class ProviderTruth {
  private readonly closes = new Map<string, Map<string, Exact>>();
  private readonly fixings = new Map<string, Record<string, number>>();
  private coinIds: Map<string, string> | undefined;

  constructor(readonly urls: ProviderUrls) {}

  // ---- making accounts at the providers (what a person does before linking them) ----

  /** A public token from the bank's sandbox, as Plaid Link would hand one over. */
  async bankPublicToken(
    institutionId: string,
    product: 'transactions' | 'investments' = 'transactions',
  ): Promise<string> {
    const { public_token } = await post<{ public_token: string }>(
      `${this.urls.plaid}/sandbox/public_token/create`,
      {
        client_id: this.urls.plaidClientId,
        secret: this.urls.plaidSecret,
        institution_id: institutionId,
        initial_products: [product],
      },
    );
    return public_token;
  }

  async itemOfPublicToken(publicToken: string): Promise<string> {
    return (await json<{ item_id: string }>(`${this.urls.plaid}/__sim/public-tokens/${publicToken}/item`))
      .item_id;
  }

  async binanceAccount(balances: Record<string, string>): Promise<{ apiKey: string; apiSecret: string }> {
    return post(`${this.urls.binance}/__sim/accounts`, { balances });
  }

  async coinbaseKey(holdings: Record<string, string>): Promise<{ apiKey: string; apiSecret: string }> {
    return post(`${this.urls.coinbase}/__sim/keys`, { kind: 'ES256', holdings });
  }

  /**
   * Pays `sats` to `address` on the chain and mines a block (what a sender and a miner do); dated
   * `at`, in the chain's past block of that time.
   */
  async payOnChain(address: string, sats: number, at?: Date): Promise<void> {
    await post(`${this.urls.esplora}/__sim/pay`, { address, sats, ...(at ? { at: at.toISOString() } : {}) });
    if (!at) await post(`${this.urls.esplora}/__sim/mine`, {});
  }

  /** `from` pays `sats` of its funds to `to` at a past time `at` (the chain's simulator signs for it). */
  async sendOnChain(from: string, to: string, sats: number, at: Date): Promise<void> {
    await post(`${this.urls.esplora}/__sim/send`, { from, to, sats, at: at.toISOString() });
  }

  /**
   * What a set of addresses (one wallet's) gained or lost in each confirmed transaction, as the
   * chain's public API lists their transactions: by the UTC day of its block, in BTC, each
   * transaction once (what it paid to the addresses less what it spent of theirs).
   */
  async bitcoinMoves(addresses: readonly string[]): Promise<{ date: string; quantity: Exact }[]> {
    interface Tx {
      txid: string;
      vin: { prevout: { scriptpubkey_address?: string; value: number } | null }[];
      vout: { scriptpubkey_address?: string; value: number }[];
      status: { confirmed: boolean; block_time?: number };
    }
    const own = new Set(addresses);
    const txs = new Map<string, Tx>();
    for (const a of addresses) {
      let page = await json<Tx[]>(`${this.urls.esplora}/address/${a}/txs`);
      for (;;) {
        for (const t of page) if (t.status.confirmed) txs.set(t.txid, t);
        const confirmed = page.filter((t) => t.status.confirmed);
        if (confirmed.length < 25) break;
        page = await json<Tx[]>(`${this.urls.esplora}/address/${a}/txs/chain/${confirmed.at(-1)?.txid}`);
      }
    }
    return [...txs.values()].map((t) => {
      let sats = 0;
      for (const o of t.vout) if (o.scriptpubkey_address && own.has(o.scriptpubkey_address)) sats += o.value;
      for (const i of t.vin)
        if (i.prevout?.scriptpubkey_address && own.has(i.prevout.scriptpubkey_address))
          sats -= i.prevout.value;
      return {
        date: new Date((t.status.block_time as number) * 1000).toISOString().slice(0, 10),
        quantity: exact(sats).div(100_000_000),
      };
    });
  }

  /** One JSON-RPC call to the Ethereum node. */
  private async rpc<T>(method: string, params: unknown[]): Promise<T> {
    const node = this.urls.ethereum;
    if (!node) throw new Error('this run has no Ethereum node');
    const body = await post<{ result?: T; error?: { message: string } }>(node.rpcUrl, {
      jsonrpc: '2.0',
      id: 1,
      method,
      params,
    });
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  }

  /** Sends a transaction from the node's funded developer account and waits for its block. */
  private async transact(tx: { to: string; value?: bigint; data?: string }): Promise<void> {
    const [from] = await this.rpc<string[]>('eth_accounts', []);
    const hash = await this.rpc<string>('eth_sendTransaction', [
      {
        from,
        to: tx.to,
        ...(tx.value ? { value: `0x${tx.value.toString(16)}` } : {}),
        ...(tx.data ? { data: tx.data } : {}),
      },
    ]);
    for (let i = 0; i < 300; i += 1) {
      const receipt = await this.rpc<{ status: string } | null>('eth_getTransactionReceipt', [hash]);
      if (receipt) {
        if (receipt.status !== '0x1') throw new Error(`transaction ${hash} failed`);
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`transaction ${hash} not in a block after 30 s`);
  }

  /** Pays ether to an address (what a sender does). */
  payEther(address: string, wei: bigint): Promise<void> {
    return this.transact({ to: address, value: wei });
  }

  /** Mints a token to an address (our tokens' minter is the node's developer account). */
  mintToken(symbol: string, address: string, units: bigint): Promise<void> {
    const token = this.urls.ethereum?.tokens.find((t) => t.symbol === symbol);
    if (!token) throw new Error(`no token ${symbol}`);
    return this.transact({ to: token.address, data: `${MINT}${word(address)}${word(units.toString(16))}` });
  }

  /** What an Ethereum address holds now, by asset (ETH, and each listed token it holds), from the node. */
  async ethereumAt(address: string): Promise<Record<string, Exact>> {
    const node = this.urls.ethereum;
    if (!node) return {};
    const out: Record<string, Exact> = {};
    const wei = BigInt(await this.rpc<string>('eth_getBalance', [address, 'latest']));
    if (wei !== 0n) out.ETH = exact(wei.toString()).div(exact(10).pow(18));
    for (const t of node.tokens) {
      const units = BigInt(
        await this.rpc<string>('eth_call', [
          { to: t.address, data: `${BALANCE_OF}${word(address)}` },
          'latest',
        ]),
      );
      if (units !== 0n) out[t.symbol] = exact(units.toString()).div(exact(10).pow(t.decimals));
    }
    return out;
  }

  // ---- what they hold ----

  /** What the chain holds, confirmed, at these addresses, in BTC (its public API: funded − spent). */
  async bitcoinAt(addresses: readonly string[]): Promise<Exact> {
    let sats = exact(0);
    for (const a of addresses) {
      const { chain_stats: s } = await json<{
        chain_stats: { funded_txo_sum: number; spent_txo_sum: number };
      }>(`${this.urls.esplora}/address/${a}`);
      sats = sats.plus(s.funded_txo_sum - s.spent_txo_sum);
    }
    return sats.div(100_000_000);
  }

  async bankAccounts(itemId: string): Promise<BankAccountTruth[]> {
    return (await json<{ accounts: BankAccountTruth[] }>(`${this.urls.plaid}/__sim/items/${itemId}/truth`))
      .accounts;
  }

  /** A brokerage item's accounts, holdings (the brokerage's price and its day) and securities, as the brokerage reports them now. */
  async brokerage(itemId: string): Promise<BrokerageTruth> {
    return json<BrokerageTruth>(`${this.urls.plaid}/__sim/items/${itemId}/investments`);
  }

  private feedGet<T>(path: string): Promise<T> {
    const feed = this.urls.securitiesFeed;
    return json<T>(`${feed.url}${path}`, {
      headers: { 'APCA-API-KEY-ID': feed.keyId, 'APCA-API-SECRET-KEY': feed.secret },
    });
  }

  /** The feed's last trade of each US stock or ETF (USD). */
  async feedPrices(symbols: string[]): Promise<Map<string, Exact>> {
    if (!symbols.length) return new Map();
    const snaps = await this.feedGet<Record<string, { latestTrade: { p: number } }>>(
      `/v2/stocks/snapshots?symbols=${symbols.join(',')}`,
    );
    return new Map(Object.entries(snaps).map(([s, snap]) => [s, exact(snap.latestTrade.p)]));
  }

  /** The feed's session closes of a symbol from `from` to `to` (days without a session are absent). */
  async feedSessions(symbol: string, from: string, to: string): Promise<Map<string, Exact>> {
    const key = `feed:${symbol}:${from}:${to}`;
    const known = this.closes.get(key);
    if (known) return known;
    const closes = new Map<string, Exact>();
    let token: string | null = null;
    do {
      const page: { bars: Record<string, { t: string; c: number }[]>; next_page_token: string | null } =
        await this.feedGet(
          `/v2/stocks/bars?symbols=${symbol}&timeframe=1Day&start=${from}T00:00:00Z&end=${to}T23:59:59Z&limit=1000${token ? `&page_token=${token}` : ''}`,
        );
      for (const bar of page.bars[symbol] ?? []) closes.set(bar.t.slice(0, 10), exact(bar.c));
      token = page.next_page_token;
    } while (token);
    this.closes.set(key, closes);
    return closes;
  }

  /** Each account's balance at the end of each day (the bank's own, computed forward; owed for cards and loans). */
  async bankDailyBalances(
    itemId: string,
    from: string,
    to: string,
  ): Promise<Record<string, Record<string, number>>> {
    return (
      await json<{ balances: Record<string, Record<string, number>> }>(
        `${this.urls.plaid}/__sim/items/${itemId}/daily-balances?from=${from}&to=${to}`,
      )
    ).balances;
  }

  async binanceHoldings(apiKey: string): Promise<Record<string, Exact>> {
    const { balances } = await json<{ balances: { asset: string; free: string; locked: string }[] }>(
      `${this.urls.binance}/__sim/accounts/${apiKey}/truth`,
    );
    return Object.fromEntries(balances.map((b) => [b.asset, exact(b.free).plus(exact(b.locked))]));
  }

  async coinbaseHoldings(keyName: string): Promise<Record<string, Exact>> {
    const { balances } = await json<{ balances: { currency: string; available: string; hold: string }[] }>(
      `${this.urls.coinbase}/__sim/keys/truth?name=${encodeURIComponent(keyName)}`,
    );
    const out: Record<string, Exact> = {};
    for (const b of balances)
      out[b.currency] = (out[b.currency] ?? exact(0)).plus(exact(b.available).plus(exact(b.hold)));
    return out;
  }

  // ---- prices ----

  /** Units of each currency one USD buys on a day (the FX provider's fixing), cached. */
  async fxOn(day: string): Promise<Record<string, number>> {
    const known = this.fixings.get(day);
    if (known) return known;
    const { rates } = await json<{ rates: Record<string, number> }>(`${this.urls.fx}/v1/${day}?base=USD`);
    this.fixings.set(day, rates);
    return rates;
  }

  async fxLatest(): Promise<Record<string, number>> {
    return (await json<{ rates: Record<string, number> }>(`${this.urls.fx}/v1/latest?base=USD`)).rates;
  }

  /** Every pair the exchange lists against USDT, by base asset: its last price. */
  async exchangePrices(): Promise<Map<string, Exact>> {
    const list = await json<{ symbol: string; price: string }[]>(`${this.urls.binance}/api/v3/ticker/price`);
    return new Map(
      list.filter((p) => p.symbol.endsWith('USDT')).map((p) => [p.symbol.slice(0, -4), exact(p.price)]),
    );
  }

  private async coinIdOf(symbol: string): Promise<string | undefined> {
    if (!this.coinIds) {
      const list = await json<{ id: string; symbol: string }[]>(`${this.urls.coingecko}/coins/list`, {
        headers: { 'x-cg-demo-api-key': this.urls.coingeckoKey },
      });
      this.coinIds = new Map();
      for (const c of list)
        if (!this.coinIds.has(c.symbol.toUpperCase())) this.coinIds.set(c.symbol.toUpperCase(), c.id);
    }
    return this.coinIds.get(symbol);
  }

  /**
   * Where the price API has a symbol: a token of the Ethereum chain by its contract on the chain's
   * platform (never by its symbol), else the coin its symbol first lists; undefined when neither.
   */
  private async priceApiPaths(
    symbol: string,
  ): Promise<{ price: string; key: string; chart: string } | undefined> {
    const chain = this.urls.ethereum;
    const token = chain?.priceApiPlatform ? chain.tokens.find((t) => t.symbol === symbol) : undefined;
    if (chain?.priceApiPlatform && token) {
      const address = token.address.toLowerCase();
      return {
        price: `/simple/token_price/${chain.priceApiPlatform}?contract_addresses=${address}&vs_currencies=usd`,
        key: address,
        chart: `/coins/${chain.priceApiPlatform}/contract/${address}/market_chart/range`,
      };
    }
    const id = await this.coinIdOf(symbol);
    return id
      ? {
          price: `/simple/price?ids=${id}&vs_currencies=usd`,
          key: id,
          chart: `/coins/${id}/market_chart/range`,
        }
      : undefined;
  }

  /** The price API's USD price of a coin or a chain's token (for what the exchange does not list). */
  async priceApiPrice(symbol: string): Promise<Exact | undefined> {
    const paths = await this.priceApiPaths(symbol);
    if (!paths) return undefined;
    const body = await json<Record<string, { usd?: number }>>(`${this.urls.coingecko}${paths.price}`, {
      headers: { 'x-cg-demo-api-key': this.urls.coingeckoKey },
    });
    const usd = body[paths.key]?.usd;
    return usd === undefined ? undefined : exact(usd);
  }

  /** A coin's close on each day from `from` to `to`: the exchange's daily candles, or the price API's history. */
  async dailyCloses(symbol: string, from: string, to: string): Promise<Map<string, Exact>> {
    const key = `${symbol}:${from}:${to}`;
    const known = this.closes.get(key);
    if (known) return known;
    const closes = new Map<string, Exact>();
    const day = 86_400_000;
    const start = Date.parse(`${from}T00:00:00Z`);
    const end = Date.parse(`${to}T00:00:00Z`);
    try {
      // at most 1,000 candles an answer: page on from the last one's next day
      for (let next = start; next <= end;) {
        const rows = await json<(string | number)[][]>(
          `${this.urls.binance}/api/v3/klines?symbol=${symbol}USDT&interval=1d&startTime=${next}&endTime=${end}&limit=1000`,
        );
        for (const row of rows)
          closes.set(new Date(row[0] as number).toISOString().slice(0, 10), exact(row[4] as string));
        if (rows.length < 1000) break;
        next = (rows.at(-1)?.[0] as number) + day;
      }
    } catch {
      const paths = await this.priceApiPaths(symbol);
      // a token the price API does not know by its contract has no history (404)
      const chart = paths
        ? await json<{ prices: [number, number][] }>(
            `${this.urls.coingecko}${paths.chart}?vs_currency=usd&from=${start / 1000 + 86_400}&to=${end / 1000 + 86_400}`,
            { headers: { 'x-cg-demo-api-key': this.urls.coingeckoKey } },
          ).catch(() => undefined)
        : undefined;
      if (chart) {
        const { prices } = chart;
        // a point at a midnight is the close of the day before it
        for (const [t, price] of prices)
          if (t % day === 0) closes.set(new Date(t - day).toISOString().slice(0, 10), exact(price));
      }
    }
    this.closes.set(key, closes);
    return closes;
  }

  /** USD for one unit of a currency from FX rates (units per USD). */
  static usdPer(currency: string, rates: Record<string, number>): Exact | undefined {
    if (currency === 'USD') return ONE;
    const rate = rates[currency];
    return rate === undefined ? undefined : ONE.div(exact(rate));
  }
}
