import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import { pledgeAdvance, pledgeSettlement } from './pledge-settlement.calculator';

const m = (s: string) => Money.of(s);
const r = (s: string) => Rate.of(s);

describe('IP-pledge advance at default (RULES §11; xinxiang 七.3)', () => {
  it('loss = principal + ACT/360 interest, advance = loss × advanceRatio, each half-up to the fen', () => {
    // 1,000,000.00 × 116 × 0.0435 / 360 = 14,016.666… → 14,016.67; loss 1,014,016.67;
    // × 0.40 = 405,606.668 → 405,606.67.
    const a = pledgeAdvance({ principal: m('1000000.00'), annualRate: r('0.0435'), interestUnpaidSince: '2025-03-21', claimDate: '2025-07-15', advanceRatio: r('0.40'), dayCountBasis: 360 });
    expect(a.days).toBe(116);
    expect(a.interest.toString()).toBe('14016.67');
    expect(a.lossAmount.toString()).toBe('1014016.67');
    expect(a.advance.toString()).toBe('405606.67');
    expect(a.breakdown).toHaveLength(4);
    expect(a.breakdown[3].rule).toContain('xinxiang 七.3');
  });

  it('no unpaid interest (claim on the day interest stopped): the loss is the principal', () => {
    // 0 days: interest 0.00; 500,000.00 × 0.30 = 150,000.00.
    const a = pledgeAdvance({ principal: m('500000.00'), annualRate: r('0.05'), interestUnpaidSince: '2025-07-15', claimDate: '2025-07-15', advanceRatio: r('0.30'), dayCountBasis: 360 });
    expect([a.interest.toString(), a.lossAmount.toString(), a.advance.toString()]).toEqual(['0.00', '500000.00', '150000.00']);
  });
});

describe('IP-pledge settlement after the sale (RULES §11; xinxiang 七.3 "待质物处置后再行清算")', () => {
  const base = { lossAmount: m('1014016.67'), advance: m('405606.67'), settlementRatio: r('0.50') };

  it('sold well: the bank refunds the advance above the final share', () => {
    // net 300,000.00 − 20,000.00 = 280,000.00; final loss 734,016.67; × 0.50 = 367,008.335 → 367,008.34;
    // refund 405,606.67 − 367,008.34 = 38,598.33.
    const s = pledgeSettlement({ ...base, proceeds: m('300000.00'), disposalCosts: m('20000.00') });
    expect(s.netProceeds.toString()).toBe('280000.00');
    expect(s.finalLoss.toString()).toBe('734016.67');
    expect(s.finalCompensation.toString()).toBe('367008.34');
    expect(s.direction).toBe('refund');
    expect(s.difference.toString()).toBe('38598.33');
  });

  it('sold poorly: the fund tops up to its final share', () => {
    // net 100,000.00; final loss 914,016.67; × 0.50 = 457,008.335 → 457,008.34; top-up 51,401.67.
    const s = pledgeSettlement({ ...base, proceeds: m('120000.00'), disposalCosts: m('20000.00') });
    expect([s.finalCompensation.toString(), s.direction, s.difference.toString()]).toEqual(['457008.34', 'top_up', '51401.67']);
  });

  it('exactly at the advance: nothing moves', () => {
    // final 405,606.67 = loss − net × 0.50 → final loss 811,213.34 → net 202,803.33.
    const s = pledgeSettlement({ ...base, proceeds: m('202803.33'), disposalCosts: m('0.00') });
    expect([s.finalCompensation.toString(), s.direction, s.difference.toString()]).toEqual(['405606.67', 'none', '0.00']);
  });

  it('costs above the proceeds recover nothing (as RULES §5): final = loss × share', () => {
    // net max(0, 10,000.00 − 30,000.00) = 0.00; 1,014,016.67 × 0.50 = 507,008.335 → 507,008.34; top-up 101,401.67.
    const s = pledgeSettlement({ ...base, proceeds: m('10000.00'), disposalCosts: m('30000.00') });
    expect([s.netProceeds.toString(), s.finalCompensation.toString(), s.direction, s.difference.toString()]).toEqual(['0.00', '507008.34', 'top_up', '101401.67']);
  });

  it('a sale covering the whole loss: the final share is 0.00 and the whole advance is refunded', () => {
    const s = pledgeSettlement({ ...base, proceeds: m('1500000.00'), disposalCosts: m('0.00') });
    expect([s.finalLoss.toString(), s.finalCompensation.toString(), s.direction, s.difference.toString()]).toEqual(['0.00', '0.00', 'refund', '405606.67']);
  });
});
