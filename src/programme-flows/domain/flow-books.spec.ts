import { Money } from '../../common/money/money';
import { draftTotals } from '../../ledger/domain/entry-draft';
import { advanceApprovalPosting, settlementPosting, subsidyClaimPosting } from './flow-books';

const lines = (r: ReturnType<typeof settlementPosting>) => r.entry.lines.map((l) => [l.account, l.debit ? 'Dr' : 'Cr', (l.debit ?? l.credit)?.toString()]);

describe('postings of the flow books (issue 18 item 3; docs/programme-flows.md)', () => {
  it('advance approval: Dr ippledge:advance:CLAIM / Cr ippledge:payable:BANK', () => {
    const r = advanceApprovalPosting({ claimId: 'C1', bankCode: 'BANK01', advance: Money.of('405606.67'), approvedOn: '2025-07-20' });
    expect(lines(r)).toEqual([
      ['ippledge:advance:C1', 'Dr', '405606.67'],
      ['ippledge:payable:BANK01', 'Cr', '405606.67'],
    ]);
  });

  it('settlement with a refund: final share to expense, the difference due from the bank', () => {
    const r = settlementPosting({ claimId: 'C1', bankCode: 'BANK01', advance: Money.of('405606.67'), finalCompensation: Money.of('367008.34'), direction: 'refund', difference: Money.of('38598.33'), settledOn: '2025-12-01' });
    expect(lines(r)).toEqual([
      ['ippledge:compensation', 'Dr', '367008.34'],
      ['ippledge:refund-due:BANK01', 'Dr', '38598.33'],
      ['ippledge:advance:C1', 'Cr', '405606.67'],
    ]);
    const t = draftTotals(r.entry);
    expect([t.debits.toString(), t.credits.toString()]).toEqual(['405606.67', '405606.67']);
  });

  it('settlement with a top-up: the difference payable to the bank', () => {
    const r = settlementPosting({ claimId: 'C1', bankCode: 'BANK01', advance: Money.of('405606.67'), finalCompensation: Money.of('457008.34'), direction: 'top_up', difference: Money.of('51401.67'), settledOn: '2025-12-01' });
    expect(lines(r)).toEqual([
      ['ippledge:compensation', 'Dr', '457008.34'],
      ['ippledge:advance:C1', 'Cr', '405606.67'],
      ['ippledge:payable:BANK01', 'Cr', '51401.67'],
    ]);
    const t = draftTotals(r.entry);
    expect(t.debits.eq(t.credits)).toBe(true);
  });

  it('a subsidy quarter: Dr subsidy:granted / Cr subsidy:payable:BANK, in the subsidy book', () => {
    const r = subsidyClaimPosting({ subsidyId: 'S1', quarter: '2025Q3', bankCode: 'BANK01', amount: Money.of('12522.22'), claimedOn: '2025-10-08' });
    expect(r.entry.book).toBe('subsidy');
    expect(r.entry.lines.map((l) => l.account)).toEqual(['subsidy:granted', 'subsidy:payable:BANK01']);
  });
});
