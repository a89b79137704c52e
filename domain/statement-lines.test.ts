import { describe, expect, it } from 'vitest';
import { readStatementLine } from './statement-lines.ts';

describe('a statement line read as a bank prints it', () => {
  it('names the same party every time, whatever card, store, town or reference is printed', () => {
    expect(readStatementLine('CARD 4821 TESCO STORES 3412 LONDON', -12.5).merchant).toBe(
      'TESCO STORES LONDON',
    );
    expect(readStatementLine('CARD 4821 TESCO STORES 2210 LONDON', -8.1).merchant).toBe(
      'TESCO STORES LONDON',
    );
    expect(readStatementLine('DD BRITISH GAS REF 3FA9C0D1E2', -84).merchant).toBe('BRITISH GAS');
    expect(readStatementLine('DD BRITISH GAS REF 77AB0912CC', -91).merchant).toBe('BRITISH GAS');
    expect(readStatementLine('CARD 4821 NETFLIX.COM 3FA9C0D1', -10.99).merchant).toBe('NETFLIX.COM');
    expect(readStatementLine('AMAZON* 2K4LL9 AMAZON.CO.UK', -23).merchant).toBe('AMAZON AMAZON.CO.UK');
  });

  it('names a person paid by name the same, printed either way round', () => {
    expect(readStatementLine('SO J SMITH RENT', -1200).merchant).toBe(
      readStatementLine('SO SMITH J RENT', -1200).merchant,
    );
  });

  it('tells income, transfers, cash, fees, bills and spending abroad apart', () => {
    expect(readStatementLine('FPI ACME LOGISTICS LTD SALARY REF 9F8E7D6C', 2450).category).toBe('INCOME');
    expect(readStatementLine('BGC NORTHWIND TRADING', 2100).category).toBe('INCOME');
    expect(readStatementLine('TFR TO SAVINGS 20-45-77 12345678', -200).category).toBe('TRANSFER_OUT');
    expect(readStatementLine('TFR FROM CURRENT A/C', 200).category).toBe('TRANSFER_IN');
    expect(readStatementLine('CASH NOTEMACHINE 12NOV LONDON', -40).category).toBe('TRANSFER_OUT');
    expect(readStatementLine('NON-STERLING TRANSACTION FEE', -1.2).category).toBe('BANK_FEES');
    expect(readStatementLine('DD ADMIRAL INSURANCE 9A8B7C', -512).category).toBe('GENERAL_SERVICES');
    expect(readStatementLine('SO J SMITH RENT', -1200).category).toBe('GENERAL_SERVICES');
    const abroad = readStatementLine('CARD 4821 HOTEL NEGRESCO NICE EUR 612.40 @ 1.1600', -527.93);
    expect(abroad).toEqual({ merchant: 'HOTEL NEGRESCO NICE', category: 'TRAVEL' });
    expect(readStatementLine('CARD 4821 PRET A MANGER 1234 LEEDS', -4.2).category).toBeNull();
  });

  it('does not take a merchant whose name looks like a code for the code', () => {
    expect(readStatementLine('BP EXPRESS 4412 LEEDS', -45)).toEqual({
      merchant: 'BP EXPRESS LEEDS',
      category: null,
    });
  });

  it('a refund is money back from the shop, not income', () => {
    expect(readStatementLine('REFUND TESCO STORES', 12.5)).toEqual({
      merchant: 'TESCO STORES',
      category: null,
    });
  });
});
