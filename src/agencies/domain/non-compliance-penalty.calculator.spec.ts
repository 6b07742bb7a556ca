import { Money } from '../../common/money/money';
import { HENAN_2021_BASE } from '../../programme/domain/henan-versions';
import { computeNonCompliancePenalty } from './non-compliance-penalty.calculator';

describe('computeNonCompliancePenalty (RULES §7; A 第十三条)', () => {
  it('RULES §7: fee charged 30,000.00 → 5 × 30,000.00 = 150,000.00', () => {
    const r = computeNonCompliancePenalty({ feeCharged: Money.of('30000.00') }, HENAN_2021_BASE);
    expect(r.penalty.toString()).toBe('150000.00');
    expect(r.breakdown[0].text).toBe('Penalty = 5 × fee charged 30,000.00 = 150,000.00');
  });

  it('RULES §7: fee 12,345.67 → 5 × 12,345.67 = 61,728.35', () => {
    expect(
      computeNonCompliancePenalty(
        { feeCharged: Money.of('12345.67') },
        HENAN_2021_BASE,
      ).penalty.toString(),
    ).toBe('61728.35');
  });
});
