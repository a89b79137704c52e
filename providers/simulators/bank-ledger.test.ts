// The simulated bank is the truth the product is checked against: its own numbers must be those
// of a plausible household (a card paid in full each month, income above spending).
import { describe, expect, it } from 'vitest';
import { BankLedger, addDays, type LedgerTransaction } from './bank-ledger.ts';

const TODAY = '2026-12-07';
const START = addDays(TODAY, -730);

function walk(ledger: BankLedger, each: (day: string, transactions: LedgerTransaction[]) => void): void {
  for (let day = START; day <= TODAY; day = addDays(day, 1)) each(day, ledger.day(day).transactions);
}

describe('the simulated bank ledger', () => {
  it('owes on its card what was charged since the last payment day: never less than nothing', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const ledger = new BankLedger({ seed, startDate: START });
      const card = ledger.accounts.find((a) => a.kind === 'credit')!;
      let owed = card.openingCents;
      let sincePayment = card.openingCents;
      walk(ledger, (day, transactions) => {
        if (day.endsWith('-20')) sincePayment = 0;
        for (const t of transactions) {
          if (t.account_id !== card.account_id || t.currency !== card.currency) continue;
          owed += t.amountCents;
          if (t.category.primary !== 'TRANSFER_IN') sincePayment += t.amountCents;
        }
        // after the payment on the 20th the card owes exactly what was charged since
        expect(owed, `seed ${seed} on ${day}`).toBe(sincePayment);
      });
      expect(card.openingCents).toBeGreaterThan(0);
      expect(owed).toBeGreaterThan(0);
    }
  });

  it('is a household that saves 5–30 % of its income and pays by card two to four times a day', () => {
    for (const seed of [11, 12, 13, 14, 15, 16, 17, 18]) {
      const ledger = new BankLedger({ seed, startDate: START });
      const card = ledger.accounts.find((a) => a.kind === 'credit')!;
      let income = 0;
      let spent = 0;
      let cardPayments = 0;
      let days = 0;
      walk(ledger, (_day, transactions) => {
        days += 1;
        for (const t of transactions) {
          if (t.category.primary === 'INCOME') income -= t.amountCents;
          else if (!['TRANSFER_IN', 'TRANSFER_OUT', 'LOAN_PAYMENTS'].includes(t.category.primary)) {
            spent += t.amountCents;
            if (t.account_id === card.account_id && t.amountCents > 0) cardPayments += 1;
          }
        }
      });
      const saved = 1 - spent / income;
      expect(saved, `seed ${seed}`).toBeGreaterThanOrEqual(0.05);
      expect(saved, `seed ${seed}`).toBeLessThanOrEqual(0.3);
      expect(cardPayments / days, `seed ${seed}`).toBeGreaterThanOrEqual(2);
      expect(cardPayments / days, `seed ${seed}`).toBeLessThanOrEqual(4);
    }
  });
});
