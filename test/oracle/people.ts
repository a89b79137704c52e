// Random people, as the oracle makes them: what each holds where, drawn from a seed, then set up
// through the product's public API only (sign up, preferences, link a bank, connect exchanges,
// add manual accounts with balance histories), exactly as a person would.
import type {
  SessionResponse,
  WalletView,
  CreateManualWalletRequest,
  LoanTerms,
  ManualType,
  ConnectChainRequest,
} from '@finexia/contracts/api.ts';
import { HDKey } from '@scure/bip32';
import { p2wpkh } from '@scure/btc-signer';
import { hex } from '@scure/base';

/**
 * A BIP84 wallet from a seed, derived here with the libraries themselves (nothing of the
 * product's own derivation): its account zpub (SLIP-132 versions) and its addresses.
 */
function zpubWallet(seedHex: string): { zpub: string; address(chain: 0 | 1, index: number): string } {
  const account = HDKey.fromMasterSeed(hex.decode(seedHex), {
    private: 0x04b2430c,
    public: 0x04b24746,
  }).derive("m/84'/0'/0'");
  return {
    zpub: account.publicExtendedKey,
    address: (chain, index) =>
      p2wpkh(account.deriveChild(chain).deriveChild(index).publicKey as Uint8Array).address as string,
  };
}
import type { ProviderTruth } from './providers.ts';

/** A small seeded generator (mulberry32): the same seed, the same people. */
export class Draw {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  /** a decimal text with `places` places between min and max */
  amount(min: number, max: number, places = 2): string {
    const scale = 10 ** places;
    return (this.int(Math.round(min * scale), Math.round(max * scale)) / scale).toFixed(places);
  }
}

export type PersonKind = 'empty' | 'bank' | 'crypto' | 'indebted' | 'currencies' | 'everything';

export interface ManualSpec {
  name: string;
  manualType: ManualType;
  currency: string;
  /** balance as of each date, oldest first */
  balances: { date: string; balance: string }[];
}

/** A loan or mortgage entered with its terms (its balance follows its schedule). */
export interface LoanSpec {
  name: string;
  manualType: 'loan' | 'mortgage';
  currency: string;
  terms: LoanTerms;
}

/** A home, a vehicle or valuables: what was paid and when, and the valuations recorded since. */
export interface OwnedSpec {
  name: string;
  manualType: 'property' | 'vehicle' | 'valuables';
  currency: string;
  purchasePrice: string;
  purchaseDate: string;
  depreciationPercent?: string;
  /** financed by the person's first mortgage */
  mortgaged?: boolean;
  /** valuations after the purchase, oldest first */
  valuations: { date: string; balance: string }[];
}

export interface PersonSpec {
  label: string;
  kind: PersonKind;
  baseCurrency: string;
  banks: string[];
  /** institutions where the person has a brokerage (Plaid Investments) */
  brokerages: string[];
  binance: Record<string, string> | null;
  coinbase: Record<string, string> | null;
  manual: ManualSpec[];
  loans: LoanSpec[];
  owned: OwnedSpec[];
  /** an Ethereum address (when the run has a node): ether paid to it and tokens minted to it, in base units */
  ethereum: { address: string; wei: bigint; tokens: Record<string, bigint> } | null;
  /** a Bitcoin wallet watched by its zpub: the seed it comes from, and what was paid to it where */
  /**
   * a Bitcoin wallet: payments to its addresses, `daysAgo` 0 being now (then mined), and a spend of
   * the first address's funds to someone else, both dated in the chain's past (its history)
   */
  bitcoin: {
    seedHex: string;
    payments: { chain: 0 | 1; index: number; sats: number; daysAgo: number }[];
    spend: { sats: number; daysAgo: number };
  } | null;
}

/** Sandbox institutions; the last two give their items a student loan. */
const INSTITUTIONS = ['ins_109508', 'ins_109509', 'ins_109510'];
const WITH_LOANS = ['ins_109511', 'ins_109512'];
const CURRENCIES = ['USD', 'EUR', 'GBP', 'CHF', 'JPY'];

const daysAgo = (today: string, n: number) =>
  new Date(Date.parse(`${today}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

function manualAccounts(
  draw: Draw,
  today: string,
  count: number,
  currencies: readonly string[],
): ManualSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const currency = draw.pick(currencies);
    const points = draw.int(1, 4);
    const places = currency === 'JPY' ? 0 : 2;
    const scale = currency === 'JPY' ? 150 : 1;
    // dates within the last 80 days, distinct, oldest first (the last may be today)
    const back = [...new Set(Array.from({ length: points }, () => draw.int(0, 80)))].sort((a, b) => b - a);
    return {
      name: `Manual ${i + 1} (${currency})`,
      manualType: draw.pick(['cash', 'savings', 'business', 'other'] as const),
      currency,
      balances: back.map((n) => ({
        date: daysAgo(today, n),
        balance: draw.amount(50 * scale, 40_000 * scale, places),
      })),
    };
  });
}

function cryptoHoldings(
  draw: Draw,
  listed: readonly string[],
  extra: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = draw.int(1, 4); i > 0; i -= 1) out[draw.pick(listed)] = draw.amount(0.01, 40, 6);
  for (const asset of extra) if (draw.chance(0.6)) out[asset] = draw.amount(10, 6_000, 2);
  return out;
}

/**
 * `count` people of every kind in turn: new and empty, bank only, crypto only, heavily indebted,
 * three currencies, and everything at once. `listed`: the crypto assets the exchange lists.
 */
export function people(seed: number, count: number, today: string, listed: readonly string[]): PersonSpec[] {
  const draw = new Draw(seed);
  const kinds: PersonKind[] = ['empty', 'bank', 'crypto', 'indebted', 'currencies', 'everything'];
  return Array.from({ length: count }, (_, i) => {
    const kind = kinds[i % kinds.length] as PersonKind;
    const spec: PersonSpec = {
      label: `s${seed}-${i}-${kind}`,
      kind,
      baseCurrency: 'USD',
      banks: [],
      brokerages: [],
      binance: null,
      coinbase: null,
      manual: [],
      loans: [],
      owned: [],
      ethereum: null,
      bitcoin: null,
    };
    switch (kind) {
      case 'empty':
        break;
      case 'bank':
        spec.banks = [draw.pick([...INSTITUTIONS, ...WITH_LOANS])];
        if (draw.chance(0.5)) spec.manual = manualAccounts(draw, today, 1, ['USD']);
        break;
      case 'crypto':
        spec.binance = cryptoHoldings(draw, listed, ['USDT', 'EUR']);
        if (draw.chance(0.6)) spec.coinbase = cryptoHoldings(draw, listed.slice(0, 12), ['USD', 'USDC']);
        break;
      case 'indebted':
        spec.banks = [draw.pick(WITH_LOANS)];
        // a mortgage entered by hand, begun up to two and a half years ago
        spec.loans = [
          {
            name: 'Mortgage',
            manualType: 'mortgage',
            currency: 'USD',
            terms: {
              principal: draw.amount(80_000, 600_000, 2),
              annualRatePercent: (draw.int(16, 64) / 8).toFixed(3),
              termMonths: draw.pick([180, 240, 360]),
              startDate: daysAgo(today, draw.int(10, 900)),
              paymentDay: draw.int(1, 28),
            },
          },
        ];
        {
          // the home it financed, bought that day, valued again since
          const bought = spec.loans[0]!.terms.startDate;
          const price = Number(spec.loans[0]!.terms.principal) * 1.25;
          const valuedOn = daysAgo(today, draw.int(0, 9));
          spec.owned = [
            {
              name: 'Home',
              manualType: 'property',
              currency: 'USD',
              purchasePrice: price.toFixed(2),
              purchaseDate: bought,
              mortgaged: true,
              valuations: [{ date: valuedOn, balance: (price * (0.95 + draw.int(0, 20) / 100)).toFixed(2) }],
            },
          ];
        }
        break;
      case 'currencies':
        spec.baseCurrency = draw.pick(['EUR', 'GBP', 'CHF']);
        spec.manual = manualAccounts(draw, today, 3, CURRENCIES);
        if (draw.chance(0.5)) spec.banks = [draw.pick(INSTITUTIONS)];
        break;
      case 'everything':
        spec.baseCurrency = draw.pick(['USD', 'EUR']);
        spec.banks = [draw.pick(INSTITUTIONS), draw.pick(WITH_LOANS)];
        // a brokerage: stocks, ETFs, funds, a bond, cash, and a euro account (no draw: the other
        // people stay who they were)
        spec.brokerages = ['ins_109510'];
        spec.binance = cryptoHoldings(draw, listed, ['USDT']);
        spec.coinbase = cryptoHoldings(draw, listed.slice(0, 12), ['USD']);
        spec.manual = manualAccounts(draw, today, draw.int(1, 2), CURRENCIES);
        // a Bitcoin wallet on chain, paid at a few of its addresses (a gap under 20 between them)
        // over the past year, and spending part of its first payment since: its history
        spec.bitcoin = {
          seedHex: Array.from({ length: 32 }, () => draw.int(0, 255).toString(16).padStart(2, '0')).join(''),
          payments: [
            { chain: 0, index: 0, sats: draw.int(100_000, 5_000_000), daysAgo: draw.int(60, 400) },
            {
              chain: 0,
              index: draw.int(1, 15),
              sats: draw.int(10_000, 5_000_000),
              daysAgo: draw.int(10, 59),
            },
            { chain: 1, index: draw.int(0, 5), sats: draw.int(1_000, 200_000), daysAgo: 0 },
          ],
          spend: { sats: draw.int(10_000, 90_000), daysAgo: draw.int(1, 9) },
        };
        // an Ethereum address holding ether, USDC, wrapped ether (priced by its contract only)
        // and a token nobody prices
        spec.ethereum = {
          address: `0x${Array.from({ length: 20 }, () => draw.int(0, 255).toString(16).padStart(2, '0')).join('')}`,
          wei: BigInt(draw.int(1, 5_000)) * 10n ** 15n,
          tokens: {
            USDC: BigInt(draw.int(1, 900_000)) * 10_000n,
            FXT: BigInt(draw.int(1, 99)) * 10n ** 18n,
            WETH: BigInt(draw.int(1, 3_000)) * 10n ** 15n,
          },
        };
        // a car in euros losing value monthly, and jewellery in pounds valued once since
        spec.owned = [
          {
            name: 'Car',
            manualType: 'vehicle',
            currency: 'EUR',
            purchasePrice: draw.amount(9_000, 60_000, 2),
            purchaseDate: daysAgo(today, draw.int(40, 1500)),
            depreciationPercent: (draw.int(80, 250) / 10).toFixed(1),
            valuations: [],
          },
          {
            name: 'Jewellery',
            manualType: 'valuables',
            currency: 'GBP',
            purchasePrice: draw.amount(500, 8_000, 2),
            purchaseDate: daysAgo(today, 700),
            valuations: [{ date: daysAgo(today, draw.int(1, 300)), balance: draw.amount(400, 9_000, 2) }],
          },
        ];
        // a car loan in euros
        spec.loans = [
          {
            name: 'Car loan',
            manualType: 'loan',
            currency: 'EUR',
            terms: {
              principal: draw.amount(8_000, 40_000, 2),
              annualRatePercent: (draw.int(0, 90) / 10).toFixed(1),
              termMonths: draw.pick([36, 48, 60, 72]),
              startDate: daysAgo(today, draw.int(0, 400)),
              paymentDay: draw.int(1, 28),
            },
          },
        ];
        break;
    }
    return spec;
  });
}

/** What the oracle keeps of a person it set up: the session and where each wallet is at its provider. */
export interface Person {
  spec: PersonSpec;
  session: SessionResponse;
  banks: { walletId: string; itemId: string }[];
  brokerages: { walletId: string; itemId: string }[];
  binance: { walletId: string; apiKey: string } | null;
  coinbase: { walletId: string; keyName: string } | null;
  manual: { walletId: string; spec: ManualSpec }[];
  loans: { walletId: string; spec: LoanSpec }[];
  owned: { walletId: string; spec: OwnedSpec }[];
  /** the Ethereum wallet and its address */
  ethereum: { walletId: string; address: string } | null;
  /** the wallet, and the addresses the oracle paid (derived by the oracle itself) */
  bitcoin: { walletId: string; addresses: string[] } | null;
}

/** The product's public API, as a person's browser reaches it. */
export class PublicApi {
  constructor(readonly baseUrl: string) {}

  async call<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : null) as T;
  }
}

/** Sets a person up through the public API only. */
export async function setUp(api: PublicApi, providers: ProviderTruth, spec: PersonSpec): Promise<Person> {
  const session = await api.call<SessionResponse>('POST', '/auth/register', null, {
    email: `${spec.label}.${Date.now().toString(36)}@oracle.example`,
    password: 'correct horse battery staple',
    name: spec.label,
  });
  const token = session.accessToken;
  if (spec.baseCurrency !== 'USD')
    await api.call('PATCH', '/users/me/preferences', token, { baseCurrency: spec.baseCurrency });
  const person: Person = {
    spec,
    session,
    banks: [],
    brokerages: [],
    binance: null,
    coinbase: null,
    manual: [],
    loans: [],
    owned: [],
    ethereum: null,
    bitcoin: null,
  };
  // a person watches the dashboard while adding accounts: each addition reloads a live portfolio
  const look = () => api.call('GET', '/portfolio', token);
  await look();
  for (const institutionId of spec.banks) {
    const publicToken = await providers.bankPublicToken(institutionId);
    const wallet = await api.call<WalletView>('POST', '/wallets/bank', token, { publicToken, institutionId });
    person.banks.push({ walletId: wallet.id, itemId: await providers.itemOfPublicToken(publicToken) });
    await look();
  }
  for (const institutionId of spec.brokerages) {
    const publicToken = await providers.bankPublicToken(institutionId, 'investments');
    const wallet = await api.call<WalletView>('POST', '/wallets/brokerage', token, {
      publicToken,
      institutionId,
    });
    person.brokerages.push({ walletId: wallet.id, itemId: await providers.itemOfPublicToken(publicToken) });
    await look();
  }
  if (spec.binance) {
    const creds = await providers.binanceAccount(spec.binance);
    const wallet = await api.call<WalletView>('POST', '/wallets/exchange', token, {
      provider: 'binance',
      ...creds,
    });
    person.binance = { walletId: wallet.id, apiKey: creds.apiKey };
    await look();
  }
  if (spec.coinbase) {
    const creds = await providers.coinbaseKey(spec.coinbase);
    const wallet = await api.call<WalletView>('POST', '/wallets/exchange', token, {
      provider: 'coinbase',
      ...creds,
    });
    person.coinbase = { walletId: wallet.id, keyName: creds.apiKey };
    await look();
  }
  for (const manual of spec.manual) {
    const [first, ...later] = manual.balances as [ManualSpec['balances'][number], ...ManualSpec['balances']];
    const body: CreateManualWalletRequest = {
      name: manual.name,
      manualType: manual.manualType,
      currency: manual.currency,
      ...first,
    };
    const wallet = await api.call<WalletView>('POST', '/wallets/manual', token, body);
    for (const entry of later)
      await api.call('PUT', `/wallets/${wallet.id}/balances/${entry.date}`, token, {
        balance: entry.balance,
      });
    person.manual.push({ walletId: wallet.id, spec: manual });
    await look();
  }
  if (spec.bitcoin) {
    const wallet = zpubWallet(spec.bitcoin.seedHex);
    const addresses = spec.bitcoin.payments.map((p) => wallet.address(p.chain, p.index));
    const at = (daysAgo: number) => (daysAgo ? new Date(Date.now() - daysAgo * 86_400_000) : undefined);
    for (const [i, p] of spec.bitcoin.payments.entries())
      await providers.payOnChain(addresses[i] as string, p.sats, at(p.daysAgo));
    // to an address of nobody here (BIP84's test vector's first)
    await providers.sendOnChain(
      addresses[0] as string,
      'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu',
      spec.bitcoin.spend.sats,
      at(spec.bitcoin.spend.daysAgo) as Date,
    );
    const body: ConnectChainRequest = { chain: 'bitcoin', watch: wallet.zpub };
    const created = await api.call<WalletView>('POST', '/wallets/chain', token, body);
    person.bitcoin = { walletId: created.id, addresses };
    await look();
  }
  if (spec.ethereum && providers.urls.ethereum) {
    const { address, wei, tokens } = spec.ethereum;
    await providers.payEther(address, wei);
    for (const [symbol, units] of Object.entries(tokens)) await providers.mintToken(symbol, address, units);
    const body: ConnectChainRequest = { chain: 'ethereum', watch: address };
    const created = await api.call<WalletView>('POST', '/wallets/chain', token, body);
    person.ethereum = { walletId: created.id, address };
    await look();
  }
  for (const loan of spec.loans) {
    const body: CreateManualWalletRequest = {
      name: loan.name,
      manualType: loan.manualType,
      currency: loan.currency,
      loan: loan.terms,
    };
    const wallet = await api.call<WalletView>('POST', '/wallets/manual', token, body);
    person.loans.push({ walletId: wallet.id, spec: loan });
    await look();
  }
  for (const thing of spec.owned) {
    const mortgage = thing.mortgaged ? person.loans.find((l) => l.spec.manualType === 'mortgage') : undefined;
    const body: CreateManualWalletRequest = {
      name: thing.name,
      manualType: thing.manualType,
      currency: thing.currency,
      owned: {
        purchasePrice: thing.purchasePrice,
        purchaseDate: thing.purchaseDate,
        ...(thing.depreciationPercent ? { depreciationPercent: thing.depreciationPercent } : {}),
        ...(mortgage ? { mortgageWalletId: mortgage.walletId } : {}),
      },
    };
    const wallet = await api.call<WalletView>('POST', '/wallets/manual', token, body);
    for (const v of thing.valuations)
      await api.call('PUT', `/wallets/${wallet.id}/balances/${v.date}`, token, { balance: v.balance });
    person.owned.push({ walletId: wallet.id, spec: thing });
    await look();
  }
  return person;
}
