import { DomainError } from '../../common/errors/domain-error';
import { checkParams, checkStatement, csvLines, jsonLines } from './statement-file';
import { parseStatementAmount, parseStatementDate } from './statement-lines';
import { resolveColumns } from './statement-columns';

const params = { bankCode: 'BANK01', from: '2025-10-01', to: '2025-10-31' };
const refusal = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('bank statement files (RULES §8 Reconciliation; R 第二十一条)', () => {
  it('dates as banks write them; amounts to the fen with thousands separators', () => {
    expect(['2025-10-10', '2025/10/10', '2025.10.10', '20251010', '2025年10月10日', '2025-10-10 14:03:22'].map(parseStatementDate)).toEqual(Array(6).fill('2025-10-10'));
    expect(['2025-02-30', '251010', '10/10/2025', ''].map(parseStatementDate)).toEqual([null, null, null, null]);
    // "1,020,000.00" → 102,000,000 fen; "-25" → −2,500; "¥12.3" → 1,230
    expect(['1,020,000.00', '-25', '¥12.3', '+0.01'].map(parseStatementAmount)).toEqual([102000000n, -2500n, 1230n, 1n]);
    expect(['1.005', '1e5', '12,34', '1,0000.00', '1234567890123456'].map(parseStatementAmount)).toEqual([null, null, null, null, null]);
  });

  it('Chinese headers with a unit suffix, debit/credit pair; a stored mapping wins over the known names', () => {
    const r = resolveColumns(['交易日期', '起息日', '借方发生额(元)', '贷方发生额（元）', '余额', '对方户名', '摘要', '附言']);
    expect(r.problems).toEqual([]);
    expect(r.columns).toEqual({ date: 0, valueDate: 1, debit: 2, credit: 3, balance: 4, counterparty: 5, memo: 6, reference: 7 });
    expect(resolveColumns(['记账日', '发生额'], { date: '记账日' }).columns).toEqual({ date: 0, amount: 1 });
    expect(resolveColumns(['日期', '金额', '借方', '贷方']).problems.map((p) => p.code)).toEqual(['AMBIGUOUS_AMOUNT']);
  });

  it('worked example: a preamble, a debit, a credit, a 合计 line; opening implied by the first balance', () => {
    const csv = ['账号: 4100 1234,,,', '交易日期,借方发生额,贷方发生额,余额', '2025-10-10,"805,230.00",,4194770.00', '2025-10-20,,100000.00,4294770.00', '合计,805230.00,100000.00,'].join('\n');
    const s = checkStatement(params, csvLines(csv));
    // opening = 4,194,770.00 + 805,230.00 = 5,000,000.00; closing = last balance 4,294,770.00
    expect(s.openingFen).toBe(500000000n);
    expect(s.closingFen).toBe(429477000n);
    expect(s.lines.map((l) => [l.line, l.date, l.fen])).toEqual([
      [3, '2025-10-10', -80523000n],
      [4, '2025-10-20', 10000000n],
    ]);
  });

  it('a line with a bad date whose counterparty only starts with "Total" is listed, not skipped as a footer', () => {
    // Without a balance column and with only the closing balance given, a silently dropped line
    // would have passed the balance check (the opening is implied) and 500.00 would be missing.
    const csv = 'date,amount,counterparty\n2025-10-10,100.00,Acme\n2025-13-01,500.00,TotalEnergies\n2025-10-20,,合计转账\n合计,600.00,\n,,Total\n';
    const e = refusal(() => checkStatement({ ...params, closingBalance: '600.00' }, csvLines(csv)));
    expect(e.code).toBe('STATEMENT.INVALID_LINES');
    expect(e.details.map((d) => [d.line, d.code])).toEqual([
      [3, 'INVALID_DATE'],
      [4, 'NO_AMOUNT'],
    ]);
  });

  it('the statement fields are the checked ones only (a form cannot pass anything else to the service)', () => {
    expect(checkParams({ ...params, windowDays: 100000, extra: 'x' })).toEqual(params);
  });

  it('a newest-first export is read backwards for the balance check', () => {
    const csv = 'date,amount,balance\n2025-10-20,100.00,1100.00\n2025-10-10,-900.00,1000.00\n';
    const s = checkStatement(params, csvLines(csv));
    expect([s.openingFen, s.closingFen]).toEqual([190000n, 110000n]);
  });

  it('every bad line is listed with its file line; nothing is returned', () => {
    const csv = 'date,amount,balance,memo\n2025-10-01,1.00,1.00,ok\n2025-10-32,1.00,2.00,x\n2025-10-03,abc,2.00,x\n2025-11-01,1.00,3.00,x\n2025-10-05,0,3.00,x\n2025-10-06,1.00,9.00,x\n2025-10-07,1.00\n';
    const e = refusal(() => checkStatement(params, csvLines(csv)));
    expect(e.code).toBe('STATEMENT.INVALID_LINES');
    expect(e.kind).toBe('invalid');
    expect(e.details.map((d) => [d.line, d.code])).toEqual([
      [3, 'INVALID_DATE'],
      [4, 'INVALID_AMOUNT'],
      [5, 'DATE_OUTSIDE_PERIOD'],
      [6, 'ZERO_AMOUNT'],
      [7, 'BALANCE_MISMATCH'],
      [8, 'FIELD_COUNT'],
    ]);
  });

  it('opening + lines ≠ closing → 422 STATEMENT.UNBALANCED with the arithmetic', () => {
    const e = refusal(() => checkStatement({ ...params, openingBalance: '100.00', closingBalance: '150.00' }, jsonLines([{ date: '2025-10-02', amount: '49.99' }])));
    expect(e.code).toBe('STATEMENT.UNBALANCED');
    expect(e.kind).toBe('rule');
    expect(e.details[0].message).toBe('opening 100.00 + lines 49.99 = 149.99 ≠ closing 150.00');
  });

  it('the statement’s own fields: every problem at once', () => {
    const e = refusal(() => checkParams({ bankCode: 'a b', from: '2025-10-31', to: '2025-10-01', openingBalance: 1 }));
    expect(e.details.map((d) => d.field)).toEqual(['bankCode', 'to', 'openingBalance']);
  });

  it('no header → STATEMENT.HEADER; a broken quote → STATEMENT.INVALID_LINES with the line', () => {
    expect(refusal(() => csvLines('a,b\n1,2\n')).code).toBe('STATEMENT.HEADER');
    const e = refusal(() => csvLines('date,amount\n2025-10-01,"1.00\n'));
    expect(e.code).toBe('STATEMENT.INVALID_LINES');
  });
});
