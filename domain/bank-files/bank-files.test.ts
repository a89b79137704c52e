/// <reference types="vite/client" />
// The bank-file readers on files in the shapes the specifications and banks publish (samples/),
// each figure checked by hand: the entries' sum against the balances the file states.
import { describe, expect, it } from 'vitest';
import checkingNov from './samples/checking-2026-11.ofx?raw';
import checkingDec from './samples/checking-2026-12.ofx?raw';
import card from './samples/card-2026-11.qfx?raw';
import quicken from './samples/quicken-2026-11.qif?raw';
import girokonto from './samples/girokonto-2026-11.camt053.xml?raw';
import { bankFileFormat, checkBalances, readBankFile } from './index.ts';
import type { BankStatement } from './statement.ts';

function read(file: string): BankStatement {
  const format = bankFileFormat(file);
  if (format === 'csv') throw new Error('read as CSV');
  const result = readBankFile(format, file);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.statement;
}

describe('bankFileFormat', () => {
  it('knows each format by its content, and anything else is CSV', () => {
    expect([checkingNov, card, quicken, girokonto].map(bankFileFormat)).toEqual([
      'ofx',
      'ofx',
      'qif',
      'camt053',
    ]);
    expect(bankFileFormat('Date,Amount,Description\n2026-01-01,-5,Coffee\n')).toBe('csv');
  });
});

describe('OFX', () => {
  it('reads a 1.x SGML bank statement: account, currency, entries with their ids, lines and closing balance', () => {
    const s = read(checkingNov);
    expect(s.account).toEqual({ id: '000123456789', name: null, currency: 'USD' });
    expect(s.entries.map((e) => [e.date, e.amount, e.fileId])).toEqual([
      ['2026-11-01', '2500', '202611010001'],
      ['2026-11-03', '-42.17', '202611030001'],
      ['2026-11-05', '-1450', '202611050001'],
      ['2026-11-12', '-89.5', '202611120001'],
      ['2026-11-28', '-42.17', '202611280001'],
    ]);
    // the empty MEMO of the AT&T line is no part of its description; "&" in SGML is kept as is
    expect(s.entries[3]?.description).toBe('AT&T WIRELESS');
    expect(s.entries[1]?.description).toBe('WHOLEFDS MKT 10234 POS PURCHASE');
    // each entry is named by the line its <STMTTRN> starts on (CRLF file)
    expect(s.entries.map((e) => e.line)).toEqual([45, 53, 61, 69, 77]);
    expect(s.balances).toMatchObject([
      { from: '2026-11-01', to: '2026-11-30', opening: null, closing: '1876.16' },
    ]);
    // an OFX statement says only where it ended: nothing to check it against in the file alone
    expect(checkBalances(s.balances[0]!)).toMatchObject({ status: 'unchecked', entries: '876.16' });
  });

  it('reads a 2.x XML credit-card statement (entities decoded)', () => {
    const s = read(card);
    expect(s.account).toMatchObject({ id: 'XXXXXXXXXXX31009', currency: 'USD' });
    expect(s.entries.map((e) => [e.amount, e.description])).toEqual([
      ['-1299', 'APPLE STORE #R102 SAN FRANCISCO CA'],
      ['-64.2', 'BARNES & NOBLE #2231'],
      ['500', 'ONLINE PAYMENT - THANK YOU'],
    ]);
    expect(s.balances[0]).toMatchObject({ to: '2026-11-30', closing: '-863.2' });
  });

  it('names every bad entry by its line and what is wrong, and reads nothing', () => {
    const broken = checkingDec
      .replace('<TRNAMT>-60.00', '<TRNAMT>-60.OO')
      .replace('<DTPOSTED>20261201', '<DTPOSTED>2026-13-01');
    const result = readBankFile('ofx', broken);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors).toEqual([
      {
        line: 61,
        field: 'DTPOSTED',
        message: 'entry 3: "2026-13-01120000.000[-5:EST]" is not a date (YYYYMMDD…)',
      },
      { line: 69, field: 'TRNAMT', message: 'entry 4: "-60.OO" is not an amount' },
    ]);
  });

  it('refuses what is not a statement, and a file of several accounts, saying why', () => {
    expect(readBankFile('ofx', 'OFXHEADER:100\n\n<OFX><SIGNONMSGSRSV1></OFX>')).toMatchObject({ ok: false });
    const two = checkingNov.replace(
      '</BANKMSGSRSV1>',
      `${/<STMTTRNRS>[\s\S]*<\/STMTTRNRS>/.exec(checkingNov)?.[0].replace('000123456789', '000987654321')}\r\n</BANKMSGSRSV1>`,
    );
    const result = readBankFile('ofx', two);
    expect(!result.ok && result.errors[0]?.message).toContain('statements of 2 accounts (…6789, …4321)');
  });
});

describe('QIF', () => {
  it('reads a Quicken bank file: the opening balance is a balance, splits are one transaction', () => {
    const s = read(quicken);
    expect(s.entries.map((e) => [e.line, e.date, e.amount, e.description])).toEqual([
      [8, '2026-11-03', '-1234.56', 'CITY OF SPRINGFIELD Property tax, 2nd half'],
      [15, '2026-11-05', '-45.1', 'SHELL OIL 57442'],
      [20, '2026-11-15', '3250', 'ACME CORP PAYROLL'],
      [25, '2026-11-20', '-120', 'COSTCO WHSE #0112'],
    ]);
    expect(s.account.name).toBe('Everyday Checking');
    expect(s.skipped).toEqual([{ line: 2, reason: 'opening balance 2000 on 2026-11-01' }]);
  });

  it('reads day-first dates when a day above 12 says so, and refuses an impossible one by its line', () => {
    const s = read('!Type:CCard\nD25/11/2026\nT-12.00\nPBakery\n^\nD03/12/2026\nT-8.50\nPBakery\n^\n');
    expect(s.entries.map((e) => e.date)).toEqual(['2026-11-25', '2026-12-03']);
    const bad = readBankFile(
      'qif',
      '!Type:Bank\nD11/31/2026\nT-12.00\nPBakery\n^\nD12/01/2026\nTtwelve\nPBakery\n^\n',
    );
    expect(!bad.ok && bad.errors).toEqual([
      { line: 2, field: 'D', message: 'entry 1: "11/31/2026" is not a date' },
      { line: 6, field: 'T', message: 'entry 2: "twelve" is not an amount' },
    ]);
  });

  it('refuses an investment file, saying which records it reads', () => {
    const r = readBankFile('qif', '!Type:Invst\nD11/01/2026\nNBuy\nYACME\n^\n');
    expect(!r.ok && r.errors[0]?.message).toContain('are not bank transactions');
  });
});

describe('CAMT.053', () => {
  it('reads booked entries with the other party and remittance, skips pending ones, and checks the balances', () => {
    const s = read(girokonto);
    expect(s.account).toEqual({ id: 'DE89370400440532013000', name: 'Girokonto', currency: 'EUR' });
    expect(s.entries.map((e) => [e.date, e.amount, e.fileId, e.description])).toEqual([
      ['2026-11-02', '-850', '2026110200004711', 'Hausverwaltung Schmidt Miete 11/2026 Whg. 3'],
      ['2026-11-14', '-17.45', '2026111400009342', 'Kartenzahlung REWE Markt Koeln & Umgebung'],
      ['2026-11-20', '35', '2026112000001207', 'Zalando SE Erstattung Bestellung 10423311'],
      ['2026-11-27', '3200', '2026112700012345', 'Muster GmbH Gehalt November 2026'],
    ]);
    expect(s.skipped).toEqual([{ line: 94, reason: 'pending: not booked yet' }]);
    // by hand: 1500.00 − 850.00 − 17.45 + 35.00 + 3200.00 = 3867.55, the closing booked balance
    expect(checkBalances(s.balances[0]!)).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
      opening: '1500',
      closing: '3867.55',
      entries: '2367.55',
      status: 'matches',
    });
  });

  it('shows a closing balance the entries do not make, with the figures', () => {
    const s = read(girokonto.replace('<Amt Ccy="EUR">3867.55</Amt>', '<Amt Ccy="EUR">3876.55</Amt>'));
    expect(checkBalances(s.balances[0]!)).toMatchObject({
      status: 'mismatch',
      reason: 'opening 1500 plus the entries (2367.55) is 3867.55, not the closing 3876.55',
    });
  });

  it('reads version 8 and later (status and parties one level deeper)', () => {
    const v8 = girokonto
      .replace('camt.053.001.02', 'camt.053.001.08')
      .replaceAll('<Sts>BOOK</Sts>', '<Sts><Cd>BOOK</Cd></Sts>')
      .replace(
        '<Cdtr><Nm>Hausverwaltung Schmidt</Nm></Cdtr>',
        '<Cdtr><Pty><Nm>Hausverwaltung Schmidt</Nm></Pty></Cdtr>',
      );
    expect(read(v8).entries[0]?.description).toBe('Hausverwaltung Schmidt Miete 11/2026 Whg. 3');
  });

  it('names an entry without a usable amount by its line', () => {
    const r = readBankFile(
      'camt053',
      girokonto.replace('<Amt Ccy="EUR">17.45</Amt>', '<Amt Ccy="EUR">17,4.5</Amt>'),
    );
    expect(!r.ok && r.errors).toEqual([
      { line: 50, field: 'Amt', message: 'entry 2: "17,4.5" with "DBIT" is not an amount' },
    ]);
  });
});
