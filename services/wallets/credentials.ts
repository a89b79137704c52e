// A wallet's provider credentials: sealed at rest with the record id as associated data,
// opened only here, never returned or logged.
import { credentialsBox } from '../../infra/credentials.ts';
import type { WalletRecord } from '../../infra/models/wallet.model.ts';
import type { ExchangeCredentials } from '../../domain/providers.ts';

export interface BankCredentials {
  accessToken: string;
}

/** What a wallet on chain is watched by: not a secret, but it reveals the wallet's whole history. */
export interface ChainWatch {
  watch: string;
}

/** Seals and opens wallets' credentials with the key ring `keys` (the broker's CREDENTIALS_KEYS). */
export class WalletCredentials {
  private readonly box: ReturnType<typeof credentialsBox>;

  /** Fails now, not at the first link, when the keys are missing or malformed. */
  constructor(keys: string | undefined) {
    this.box = credentialsBox(keys);
  }

  seal(walletId: string, credentials: BankCredentials | ExchangeCredentials | ChainWatch): string {
    return this.box.seal(JSON.stringify(credentials), walletId);
  }

  bank(wallet: WalletRecord): BankCredentials {
    return this.open(wallet) as BankCredentials;
  }

  exchange(wallet: WalletRecord): ExchangeCredentials {
    return this.open(wallet) as ExchangeCredentials;
  }

  chain(wallet: WalletRecord): ChainWatch {
    return this.open(wallet) as ChainWatch;
  }

  private open(wallet: WalletRecord): unknown {
    if (!wallet.credentials) throw new Error(`wallet ${wallet.publicId} has no credentials`);
    return JSON.parse(this.box.open(wallet.credentials, wallet.publicId));
  }
}
