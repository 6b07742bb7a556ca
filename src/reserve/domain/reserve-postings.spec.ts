import fc from 'fast-check';
import { Money } from '../../common/money/money';
import { draftTotals } from '../../ledger/domain/entry-draft';
import { expectBalanced, recipeLines as lines } from '../../../test/support/recipes';
import {
  approvalPosting,
  fundingPosting,
  interestPosting,
  payoutPosting,
  refundPosting,
  writeOffPosting,
} from './reserve-postings';

const m = (s: string) => Money.parse(s);
const CLAIM = '5f0c2a8e-1b2d-4c3e-9f40-0a1b2c3d4e5f';
const BATCH = '0b7e6c1a-2f3d-4e5f-8a9b-1c2d3e4f5a6b';
const RECOVERY = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

describe('reserve posting recipes (RULES §10; docs/claims.md "Postings")', () => {
  it('RULES §8, §10; R 第七条: funding 10,000,000.00 into BANK01 → Dr deposit:BANK01 / Cr capital', () => {
    // Dr 10,000,000.00 = Cr 10,000,000.00
    const r = fundingPosting({ bankCode: 'BANK01', amount: m('10000000.00'), fundedOn: '2025-01-06', reference: 'F-2025-01' });
    expect(lines(r)).toEqual([
      ['reserve:deposit:BANK01', 'Dr', '10000000.00'],
      ['reserve:capital', 'Cr', '10000000.00'],
    ]);
    expectBalanced(r, '10000000.00');
    expect(r.entry.book).toBe('reserve');
    expect(r.entry.effectiveDate).toBe('2025-01-06');
    expect(r.entry.memo).toBe("Appropriation F-2025-01 into BANK01's reserve account");
    expect(r.entry.link).toEqual({ type: 'reserve-funding', id: 'F-2025-01' });
    expect(r.accounts).toEqual([
      { book: 'reserve', code: 'reserve:deposit:BANK01', name: 'Reserve deposit at BANK01', type: 'asset', floor: '0.00' },
      { book: 'reserve', code: 'reserve:capital', name: 'Fund capital (appropriations)', type: 'equity', floor: null },
    ]);
  });

  it('RULES §8, §10; R 第二十二条: interest 920,000.00 credited by BANK01 → Dr deposit:BANK01 / Cr interest', () => {
    // Dr 920,000.00 = Cr 920,000.00
    const r = interestPosting({ bankCode: 'BANK01', amount: m('920000.00'), creditedOn: '2025-03-21' });
    expect(lines(r)).toEqual([
      ['reserve:deposit:BANK01', 'Dr', '920000.00'],
      ['reserve:interest', 'Cr', '920000.00'],
    ]);
    expectBalanced(r, '920000.00');
    expect(r.entry.effectiveDate).toBe('2025-03-21');
    expect(r.entry.memo).toBe('Deposit interest credited by BANK01');
    expect(r.entry.link).toEqual({ type: 'bank', id: 'BANK01' });
    expect(r.accounts).toEqual([
      { book: 'reserve', code: 'reserve:deposit:BANK01', name: 'Reserve deposit at BANK01', type: 'asset', floor: '0.00' },
      { book: 'reserve', code: 'reserve:interest', name: 'Deposit interest', type: 'income', floor: null },
    ]);
  });

  it('RULES §4, §10; R 第十四条: approval of case A, 1,825,230.00 → Dr awaiting-recovery:CLAIM / Cr payable:BANK01', () => {
    // Dr 1,825,230.00 = Cr 1,825,230.00
    const r = approvalPosting({ claimId: CLAIM, bankCode: 'BANK01', compensation: m('1825230.00'), approvedOn: '2025-09-30', batchId: BATCH });
    expect(lines(r)).toEqual([
      [`reserve:awaiting-recovery:${CLAIM}`, 'Dr', '1825230.00'],
      ['reserve:payable:BANK01', 'Cr', '1825230.00'],
    ]);
    expectBalanced(r, '1825230.00');
    expect(r.entry.effectiveDate).toBe('2025-09-30');
    expect(r.entry.memo).toBe(`Compensation approved for claim ${CLAIM} (batch ${BATCH})`);
    expect(r.entry.link).toEqual({ type: 'claim', id: CLAIM });
    expect(r.accounts).toEqual([
      { book: 'reserve', code: `reserve:awaiting-recovery:${CLAIM}`, name: `Compensation awaiting recovery, claim ${CLAIM}`, type: 'asset', floor: '0.00' },
      { book: 'reserve', code: 'reserve:payable:BANK01', name: 'Compensation payable to BANK01', type: 'liability', floor: '0.00' },
    ]);
  });

  it('RULES §4 "Payout", §10; R 第十五、十八条: 1,825,230.00 drawn 1,000,000.00 from BANK01 and 825,230.00 from BANK03', () => {
    // Dr payable:BANK01 1,825,230.00 = Cr 1,000,000.00 + Cr 825,230.00
    const r = payoutPosting({
      claimId: CLAIM,
      bankCode: 'BANK01',
      compensation: m('1825230.00'),
      paidOn: '2025-10-15',
      legs: [
        { bankCode: 'BANK01', amount: m('1000000.00') },
        { bankCode: 'BANK03', amount: m('825230.00') },
      ],
    });
    expect(lines(r)).toEqual([
      ['reserve:payable:BANK01', 'Dr', '1825230.00'],
      ['reserve:deposit:BANK01', 'Cr', '1000000.00'],
      ['reserve:deposit:BANK03', 'Cr', '825230.00'],
    ]);
    expectBalanced(r, '1825230.00');
    expect(r.entry.effectiveDate).toBe('2025-10-15');
    expect(r.entry.memo).toBe(`Compensation paid on claim ${CLAIM} to BANK01`);
    expect(r.entry.link).toEqual({ type: 'claim', id: CLAIM });
    // payable:BANK01 was opened at approval; the legs draw on accounts that hold a balance.
    expect(r.accounts).toEqual([]);
  });

  it('RULES §4 "Payout"; R 第十五条: the claiming bank pays alone → one credit leg', () => {
    // Dr payable:BANK02 4,055,611.11 = Cr deposit:BANK02 4,055,611.11 (RULES §4 case B)
    const r = payoutPosting({
      claimId: CLAIM,
      bankCode: 'BANK02',
      compensation: m('4055611.11'),
      paidOn: '2025-10-15',
      legs: [{ bankCode: 'BANK02', amount: m('4055611.11') }],
    });
    expect(lines(r)).toEqual([
      ['reserve:payable:BANK02', 'Dr', '4055611.11'],
      ['reserve:deposit:BANK02', 'Cr', '4055611.11'],
    ]);
    expectBalanced(r, '4055611.11');
  });

  it('RULES §4 "Payout", §10: a payout balances to the fen for any legs that together pay the compensation', () => {
    // compensation = Σ legs (what planPayout guarantees), so Dr payable = Σ Cr deposit.
    const legFen = fc.bigInt({ min: 1n, max: 500_000_000_00n });
    fc.assert(
      fc.property(fc.array(legFen, { minLength: 1, maxLength: 8 }), (legsFen) => {
        const legs = legsFen.map((fen, i) => ({ bankCode: `BANK${String(i).padStart(2, '0')}`, amount: Money.fromFen(fen) }));
        const compensation = Money.sum(legs.map((l) => l.amount));
        const r = payoutPosting({ claimId: CLAIM, bankCode: 'BANK00', compensation, paidOn: '2025-10-15', legs });
        const { debits, credits } = draftTotals(r.entry);
        return debits.eq(compensation) && credits.eq(compensation) && r.entry.lines.length === legs.length + 1;
      }),
    );
  });

  it('RULES §5, §10; R 第十七条: a refund of 100,000.01 → Dr deposit:BANK01 / Cr awaiting-recovery:CLAIM', () => {
    // share 50%: recovery 200,000.02 → refund 100,000.01; Dr 100,000.01 = Cr 100,000.01
    const r = refundPosting({ claimId: CLAIM, bankCode: 'BANK01', recoveryId: RECOVERY, refund: m('100000.01'), refundedOn: '2025-11-20' });
    expect(lines(r)).toEqual([
      ['reserve:deposit:BANK01', 'Dr', '100000.01'],
      [`reserve:awaiting-recovery:${CLAIM}`, 'Cr', '100000.01'],
    ]);
    expectBalanced(r, '100000.01');
    expect(r.entry.effectiveDate).toBe('2025-11-20');
    expect(r.entry.memo).toBe(`Recovery refund on claim ${CLAIM} into BANK01's reserve account`);
    expect(r.entry.link).toEqual({ type: 'claim-recovery', id: RECOVERY });
    expect(r.accounts).toEqual([
      { book: 'reserve', code: 'reserve:deposit:BANK01', name: 'Reserve deposit at BANK01', type: 'asset', floor: '0.00' },
    ]);
  });

  it('RULES §5, §10; S 三(七), R 第十九条: write-off of 1,825,230.00 − 100,000.01 = 1,725,229.99', () => {
    // Dr written-off 1,725,229.99 = Cr awaiting-recovery 1,725,229.99
    const amount = m('1825230.00').minus(m('100000.01'));
    const r = writeOffPosting({ claimId: CLAIM, amount, writtenOffOn: '2026-03-31' });
    expect(lines(r)).toEqual([
      ['reserve:written-off', 'Dr', '1725229.99'],
      [`reserve:awaiting-recovery:${CLAIM}`, 'Cr', '1725229.99'],
    ]);
    expectBalanced(r, '1725229.99');
    expect(r.entry.effectiveDate).toBe('2026-03-31');
    expect(r.entry.memo).toBe(`Compensation on claim ${CLAIM} written off net of refunds`);
    expect(r.entry.link).toEqual({ type: 'claim', id: CLAIM });
    expect(r.accounts).toEqual([
      { book: 'reserve', code: 'reserve:written-off', name: 'Compensation written off', type: 'expense', floor: null },
    ]);
  });

  it('RULES §5, §10: approval, payout, refund and write-off of one claim leave awaiting-recovery and payable at 0.00', () => {
    // awaiting: +1,825,230.00 − 100,000.01 − 1,725,229.99 = 0.00; payable: −1,825,230.00 + 1,825,230.00 = 0.00
    const recipes = [
      approvalPosting({ claimId: CLAIM, bankCode: 'BANK01', compensation: m('1825230.00'), approvedOn: '2025-09-30', batchId: BATCH }),
      payoutPosting({
        claimId: CLAIM,
        bankCode: 'BANK01',
        compensation: m('1825230.00'),
        paidOn: '2025-10-15',
        legs: [
          { bankCode: 'BANK01', amount: m('1000000.00') },
          { bankCode: 'BANK03', amount: m('825230.00') },
        ],
      }),
      refundPosting({ claimId: CLAIM, bankCode: 'BANK01', recoveryId: RECOVERY, refund: m('100000.01'), refundedOn: '2025-11-20' }),
      writeOffPosting({ claimId: CLAIM, amount: m('1725229.99'), writtenOffOn: '2026-03-31' }),
    ];
    const net = (code: string) =>
      Money.sum(recipes.flatMap((r) => r.entry.lines.filter((l) => l.account === code).map((l) => (l.debit ? l.debit : (l.credit as Money).negated()))));
    expect(net(`reserve:awaiting-recovery:${CLAIM}`).toString()).toBe('0.00');
    expect(net('reserve:payable:BANK01').toString()).toBe('0.00');
    // The reserve paid 1,825,230.00 and got 100,000.01 back.
    expect(net('reserve:deposit:BANK01').plus(net('reserve:deposit:BANK03')).toString()).toBe('-1725229.99');
  });
});
