import { Money } from '../../common/money/money';
import { approvalPosting, fundingPosting, payoutPosting, refundPosting, writeOffPosting } from './reserve-postings';
import { bankLabel, claimLabel } from './readable-names';

const CLAIM = '5f0c2a8e-1b2d-4c3e-9f40-0a1b2c3d4e5f';
const names = { bankName: '郑州银行', loanReference: 'ZZB-2025-000123', borrowerName: '河南某科技有限公司' };

describe('names people read in the books (issue 17 item 2; RULES §10)', () => {
  it('labels: the name before the code; no name → the code alone (the text before names were added)', () => {
    expect(bankLabel('BANK01', '郑州银行')).toBe('郑州银行 (BANK01)');
    expect(bankLabel('BANK01')).toBe('BANK01');
    expect(claimLabel(CLAIM, names)).toBe(`claim ${CLAIM} (loan ZZB-2025-000123, 河南某科技有限公司)`);
    expect(claimLabel(CLAIM, { bankName: '郑州银行' })).toBe(`claim ${CLAIM}`);
  });

  it('RULES §8, §10; R 第七条: a funding memo and the deposit account carry the bank name; the codes do not change', () => {
    const r = fundingPosting({ bankCode: 'BANK01', amount: Money.parse('10000000.00'), fundedOn: '2025-01-06', reference: 'F-1', names });
    expect(r.entry.memo).toBe("Appropriation F-1 into 郑州银行 (BANK01)'s reserve account");
    expect(r.accounts[0]).toEqual({ book: 'reserve', code: 'reserve:deposit:BANK01', name: 'Reserve deposit at 郑州银行 (BANK01)', type: 'asset', floor: '0.00' });
  });

  it('RULES §4, §5, §10: approval, payout, refund and write-off memos carry the loan reference and borrower; accounts the bank name and loan', () => {
    const approval = approvalPosting({ claimId: CLAIM, bankCode: 'BANK01', compensation: Money.parse('1825230.00'), approvedOn: '2025-09-30', batchId: 'B', names });
    expect(approval.entry.memo).toBe(`Compensation approved for claim ${CLAIM} (loan ZZB-2025-000123, 河南某科技有限公司) (batch B)`);
    expect(approval.accounts.map((a) => [a.code, a.name])).toEqual([
      [`reserve:awaiting-recovery:${CLAIM}`, `Compensation awaiting recovery, claim ${CLAIM} (loan ZZB-2025-000123)`],
      ['reserve:payable:BANK01', 'Compensation payable to 郑州银行 (BANK01)'],
    ]);
    const payout = payoutPosting({ claimId: CLAIM, bankCode: 'BANK01', compensation: Money.parse('1.00'), paidOn: '2025-10-09', legs: [{ bankCode: 'BANK01', amount: Money.parse('1.00') }], names });
    // A payout leg may draw from another bank's account: its memo names no loan or borrower (docs/access.md).
    expect(payout.entry.memo).toBe(`Compensation paid on claim ${CLAIM} to 郑州银行 (BANK01)`);
    const refund = refundPosting({ claimId: CLAIM, bankCode: 'BANK01', recoveryId: 'R', refund: Money.parse('1.00'), refundedOn: '2025-11-20', names });
    expect(refund.entry.memo).toBe(`Recovery refund on claim ${CLAIM} (loan ZZB-2025-000123, 河南某科技有限公司) into 郑州银行 (BANK01)'s reserve account`);
    expect(refund.entry.lines.map((l) => l.account)).toEqual(['reserve:deposit:BANK01', `reserve:awaiting-recovery:${CLAIM}`]);
    const writeOff = writeOffPosting({ claimId: CLAIM, amount: Money.parse('1.00'), writtenOffOn: '2026-03-31', names });
    expect(writeOff.entry.memo).toBe(`Compensation on claim ${CLAIM} (loan ZZB-2025-000123, 河南某科技有限公司) written off net of refunds`);
  });
});
