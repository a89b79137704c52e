// Things a person owns (a property, a vehicle, valuables): the checks on what they enter, and
// the mortgage a property is linked to (its equity is the value less what that mortgage owes).
import type { OwnedAssetTerms, OwnedType } from '@finexia/contracts/api.ts';
import { Account, Wallet, type AccountRecord, type WalletRecord } from '../../infra/models/wallet.model.ts';
import { invalid } from '../../domain/errors.ts';
import type { FieldError } from '@finexia/contracts/errors.ts';
import { Decimal } from '../../domain/money.ts';

/**
 * What is wrong with an owned thing's terms, by field (`prefix` names the object they came in):
 * a rate only on a vehicle, a mortgage only on a property and only one of the person's own
 * mortgages in the same currency. Throws the one validation error, or returns nothing.
 */
export async function checkOwnedTerms(
  userId: string,
  type: OwnedType,
  currency: string,
  terms: Partial<OwnedAssetTerms>,
  prefix: string,
): Promise<void> {
  const problems: FieldError[] = [];
  if (terms.depreciationPercent !== undefined && type !== 'vehicle')
    problems.push({
      field: `${prefix}depreciationPercent`,
      message: 'only a vehicle loses value by a schedule',
      type: 'forbidden',
    });
  if (terms.mortgageWalletId && type !== 'property')
    problems.push({
      field: `${prefix}mortgageWalletId`,
      message: 'only a property is financed by a mortgage',
      type: 'forbidden',
    });
  else if (terms.mortgageWalletId) {
    const mortgage = await Wallet.findOne({ publicId: terms.mortgageWalletId, userId }).lean<WalletRecord>();
    if (!mortgage || mortgage.manualType !== 'mortgage')
      problems.push({
        field: `${prefix}mortgageWalletId`,
        message: 'is not one of your mortgages',
        type: 'notFound',
      });
    else if (mortgage.currency !== currency)
      problems.push({
        field: `${prefix}mortgageWalletId`,
        message: `the mortgage is in ${mortgage.currency}, the property in ${currency}`,
        type: 'currency',
      });
  }
  if (problems.length) throw invalid(problems);
}

/** The mortgages of these properties: name and what each owes now (positive), by mortgage wallet id. */
export async function mortgagesOf(
  wallets: readonly WalletRecord[],
): Promise<Map<string, { walletId: string; name: string; owed: Decimal }>> {
  const ids = [
    ...new Set(
      wallets.flatMap((w) =>
        w.manualType === 'property' && w.owned?.mortgageWalletId ? [w.owned.mortgageWalletId] : [],
      ),
    ),
  ];
  if (!ids.length) return new Map();
  const userIds = [...new Set(wallets.map((w) => w.userId))];
  const [mortgages, accounts] = await Promise.all([
    Wallet.find({ publicId: { $in: ids }, userId: { $in: userIds } }).lean<WalletRecord[]>(),
    Account.find({ walletId: { $in: ids }, userId: { $in: userIds } }).lean<AccountRecord[]>(),
  ]);
  return new Map(
    mortgages.map((m) => {
      const account = accounts.find((a) => a.walletId === m.publicId);
      return [
        m.publicId,
        { walletId: m.publicId, name: m.name, owed: Decimal.parse(account?.current ?? '0') },
      ];
    }),
  );
}
