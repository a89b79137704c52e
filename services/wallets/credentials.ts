// A wallet's provider credentials: sealed at rest with the record id as associated data,
// opened only here, never returned or logged.
import { credentialsBox } from '../../infra/credentials.ts';
import type { WalletRecord } from '../../infra/models/wallet.model.ts';
import type { ExchangeCredentials } from '../../domain/providers.ts';

export interface BankCredentials {
  accessToken: string;
}

export function sealCredentials(
  walletId: string,
  credentials: BankCredentials | ExchangeCredentials,
): string {
  return credentialsBox().seal(JSON.stringify(credentials), walletId);
}

function open(wallet: WalletRecord): unknown {
  if (!wallet.credentials) throw new Error(`wallet ${wallet.publicId} has no credentials`);
  return JSON.parse(credentialsBox().open(wallet.credentials, wallet.publicId));
}

export function bankCredentials(wallet: WalletRecord): BankCredentials {
  return open(wallet) as BankCredentials;
}

export function exchangeCredentials(wallet: WalletRecord): ExchangeCredentials {
  return open(wallet) as ExchangeCredentials;
}
