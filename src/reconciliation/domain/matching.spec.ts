import { LedgerItem, matchStatement, StatementItem } from './matching';
import { paymentReference } from './payment-reference';

/**
 * Worked examples of RULES §8 "Reconciliation" (R 第二十一条): matching a reserve account's bank
 * statement with its ledger lines. Calendar days stand in for working days here (dayIndex =
 * days since 2025-01-01); the service passes the PRC working-day index.
 */
const dayIndex = (date: string) => Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse('2025-01-01T00:00:00Z')) / 86_400_000);
const options = { windowDays: 3, dayIndex };
const R1 = paymentReference(1);
const R2 = paymentReference(2);
const R3 = paymentReference(3);

const s = (position: number, date: string, yuan: string, text = ''): StatementItem => ({ position, date, fen: BigInt(Math.round(Number(yuan) * 100)), text });
const l = (key: string, date: string, yuan: string, reference: string | null = null, order = Number(key.replace(/\D/g, ''))): LedgerItem => ({
  key,
  date,
  fen: BigInt(Math.round(Number(yuan) * 100)),
  reference,
  order,
});

describe('matchStatement (RULES §8 Reconciliation; R 第二十一条)', () => {
  it('exact reference: the line carrying RF… matches that instruction’s ledger line, even 10 days apart', () => {
    // −1,020,000.00 paid out on 2025-10-10, booked by the bank on 10-20 with the reference in 附言.
    const r = matchStatement([s(1, '2025-10-20', '-1020000.00', `付款 ${R1}`)], [l('e1#2', '2025-10-10', '-1020000.00', R1)], options);
    expect(r.matches).toEqual([{ method: 'reference', statement: [1], ledger: ['e1#2'] }]);
  });

  it('amount + date: no reference, same amount one day late → matched; five days late → not (window ±3)', () => {
    const r = matchStatement(
      [s(1, '2025-10-11', '-805230.00'), s(2, '2025-10-15', '-300.00')],
      [l('e1#3', '2025-10-10', '-805230.00'), l('e2#1', '2025-10-10', '-300.00')],
      options,
    );
    expect(r.matches).toEqual([{ method: 'amount-date', statement: [1], ledger: ['e1#3'] }]);
  });

  it('amount + date: the nearest date wins, then the earlier ledger line', () => {
    const r = matchStatement([s(1, '2025-10-12', '100.00')], [l('e1#1', '2025-10-10', '100.00'), l('e2#1', '2025-10-13', '100.00'), l('e3#1', '2025-10-11', '100.00')], options);
    // distances 2, 1, 1 → e3 (dated 10-11) beats e2 (10-13) on the tie: the earlier date is first in ledger order.
    expect(r.matches[0].ledger).toEqual(['e3#1']);
  });

  it('merged: one statement line carrying three references = three refunds (570,000.00 + 30,000.00 + 0.01)', () => {
    const r = matchStatement(
      [s(1, '2026-01-21', '600000.01', `退款 ${R1} ${R2} ${R3}`)],
      [l('e1#1', '2026-01-20', '570000.00', R1), l('e2#1', '2026-01-20', '30000.00', R2), l('e3#1', '2026-01-19', '0.01', R3)],
      options,
    );
    expect(r.matches).toEqual([{ method: 'reference', statement: [1], ledger: ['e1#1', 'e2#1', 'e3#1'] }]);
  });

  it('merged without references: one line = all same-day inflows of the books (200.00 + 300.00 = 500.00)', () => {
    const r = matchStatement([s(1, '2026-01-21', '500.00')], [l('e1#1', '2026-01-20', '200.00'), l('e2#1', '2026-01-20', '300.00'), l('e3#1', '2026-01-20', '-50.00')], options);
    expect(r.matches).toEqual([{ method: 'batch', statement: [1], ledger: ['e1#1', 'e2#1'] }]);
  });

  it('split: one instruction paid in two parts with its reference on both (600,000.00 = 400,000.00 + 200,000.00)', () => {
    const r = matchStatement(
      [s(1, '2025-10-10', '-400000.00', R1), s(2, '2025-10-11', '-200000.00', R1)],
      [l('e1#1', '2025-10-10', '-600000.00', R1)],
      options,
    );
    expect(r.matches).toEqual([{ method: 'reference-split', statement: [1, 2], ledger: ['e1#1'] }]);
  });

  it('split without references: one ledger line = the same-day outflows of the statement', () => {
    const r = matchStatement([s(1, '2025-10-10', '-400000.00'), s(2, '2025-10-10', '-200000.00')], [l('e1#1', '2025-10-09', '-600000.00')], options);
    expect(r.matches).toEqual([{ method: 'split', statement: [1, 2], ledger: ['e1#1'] }]);
  });

  it('unmatched both sides: a wrong amount with a reference is reported, never matched; a bank fee stays on the statement', () => {
    const r = matchStatement(
      [s(1, '2025-10-10', '-99990.00', R1), s(2, '2025-10-31', '-25.00', '手续费')],
      [l('e1#1', '2025-10-10', '-100000.00', R1), l('e2#1', '2025-10-30', '1000.00')],
      options,
    );
    expect(r.matches).toEqual([]);
    expect(r.hints).toEqual([
      { position: 1, code: 'REFERENCE_AMOUNT_DIFFERS', message: `reference ${R1} is an instruction of -100000.00, the line is -99990.00` },
    ]);
  });

  it('duplicates: the same line twice matches once; the repeat is flagged, and a ledger line is never used twice', () => {
    const r = matchStatement([s(1, '2025-10-10', '-500.00', 'x'), s(2, '2025-10-10', '-500.00', 'x')], [l('e1#1', '2025-10-10', '-500.00')], options);
    expect(r.matches).toEqual([{ method: 'amount-date', statement: [1], ledger: ['e1#1'] }]);
    expect(r.hints).toEqual([{ position: 2, code: 'POSSIBLE_DUPLICATE', message: 'repeats line 1 (same date, amount and text)' }]);
  });

  it('deterministic: the same inputs in another order give the same matches', () => {
    const statement = [s(1, '2025-10-10', '100.00'), s(2, '2025-10-10', '100.00'), s(3, '2025-10-11', '-7.00'), s(4, '2025-10-12', '250.00', R2)];
    const ledger = [l('e1#1', '2025-10-09', '100.00'), l('e2#1', '2025-10-11', '100.00'), l('e3#1', '2025-10-11', '-7.00'), l('e4#1', '2025-10-12', '250.00', R2)];
    const a = matchStatement(statement, ledger, options);
    const b = matchStatement([...statement].reverse(), [...ledger].reverse(), options);
    expect(b).toEqual(a);
    expect(a.matches).toEqual([
      { method: 'reference', statement: [4], ledger: ['e4#1'] },
      // line 1 (10-10) takes the nearest: e1 (10-09) and e2 (10-11) are both 1 day away → e1, earlier.
      { method: 'amount-date', statement: [1], ledger: ['e1#1'] },
      { method: 'amount-date', statement: [2], ledger: ['e2#1'] },
      { method: 'amount-date', statement: [3], ledger: ['e3#1'] },
    ]);
  });
});
