import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import { HENAN_2021_BASE } from '../../programme/domain/henan-versions';
import { computeLossRate } from '../../risk/domain/loss-rate.calculator';
import {
  computeMarginRequirement,
  type MarginRequirementInput,
} from './margin-requirement.calculator';

const policy = HENAN_2021_BASE;
const m = (s: string): Money => Money.of(s);

function input(over: Partial<MarginRequirementInput>): MarginRequirementInput {
  return {
    reviewedBalancePreviousQuarter: m('100000000.00'),
    feeRateAnnual: Rate.of('0.01'),
    joinedOn: '2020-01-01',
    asOf: '2025-01-10',
    lossRate: Rate.of('0.015'),
    marginBalance: m('250000.00'),
    ...over,
  };
}

describe('computeMarginRequirement (RULES §7; A 第十八条(三))', () => {
  it('issue 11 item 4 (RULES §6/§7 2026-12): net 1,999,999.99 on 100,000,000.00 is below 2% → requirement 20% (200,000.00), not 30%', () => {
    // 1,999,999.99 / 100,000,000.00 = 0.0199999999 exactly (< 0.02); rounded to 8 decimals it would read 0.02000000 (→ 30%).
    const loss = computeLossRate(
      { approvedCompensation: m('1999999.99'), refunded: Money.ZERO, writtenOffCompensation: Money.ZERO, outstandingBalance: m('100000000.00') },
      policy,
    );
    expect(loss.rate?.toString()).toBe('0.02');
    expect(loss.exactRate?.toString()).toBe('0.0199999999');
    const r = computeMarginRequirement(input({ lossRate: loss.exactRate }), policy);
    expect(r.lossRateBelowThreshold).toBe(true);
    expect(r.ratio.toString()).toBe('0.2');
    expect(r.requirement.toString()).toBe('200000.00');
    // The rounded rate would have given 30%: the reason the rule reads the exact one.
    expect(computeMarginRequirement(input({ lossRate: loss.rate }), policy).requirement.toString()).toBe('300000.00');
  });

  it('RULES §7: agency 5 years in, loss 1.5% < 2% → 20% × 1,000,000.00 = 200,000.00; excess 50,000.00', () => {
    // fees receivable = 100,000,000.00 × 1% = 1,000,000.00; 20% → 200,000.00; 250,000 − 200,000 = 50,000
    const r = computeMarginRequirement(input({}), policy);
    expect(r.feesReceivable.toString()).toBe('1000000.00');
    expect(r.reduced).toBe(true);
    expect(r.ratio.toString()).toBe('0.2');
    expect(r.requirement.toString()).toBe('200000.00');
    expect(r.excessWithdrawable.toString()).toBe('50000.00');
    expect(r.shortfall.toString()).toBe('0.00');
  });

  it('RULES §7: agency under 3 years → 30% × 1,000,000.00 = 300,000.00; shortfall 50,000.00', () => {
    // 300,000.00 − 250,000.00 = 50,000.00
    const r = computeMarginRequirement(input({ joinedOn: '2023-01-01' }), policy);
    expect(r.reduced).toBe(false);
    expect(r.requirement.toString()).toBe('300000.00');
    expect(r.shortfall.toString()).toBe('50000.00');
    expect(r.excessWithdrawable.toString()).toBe('0.00');
  });

  it('RULES §7 "more than 3 years": on the third anniversary (2022-01-10 → 2025-01-10) the 30% still applies', () => {
    const r = computeMarginRequirement(
      input({ joinedOn: '2022-01-10', asOf: '2025-01-10', lossRate: Rate.of('0.01') }),
      policy,
    );
    expect(r.moreThanMinYears).toBe(false);
    expect(r.requirement.toString()).toBe('300000.00');
  });

  it('RULES §7 "more than 3 years": the day after the third anniversary the 20% applies', () => {
    const r = computeMarginRequirement(
      input({ joinedOn: '2022-01-10', asOf: '2025-01-11', lossRate: Rate.of('0.01') }),
      policy,
    );
    expect(r.moreThanMinYears).toBe(true);
    expect(r.requirement.toString()).toBe('200000.00');
  });

  it('RULES §7 "below 2%": a loss rate of exactly 2% keeps the 30%', () => {
    const r = computeMarginRequirement(input({ lossRate: Rate.of('0.02') }), policy);
    expect(r.lossRateBelowThreshold).toBe(false);
    expect(r.requirement.toString()).toBe('300000.00');
  });

  it('RULES §7 "below 2%": 1.999999% (0.01999999) gets the 20%', () => {
    const r = computeMarginRequirement(input({ lossRate: Rate.of('0.01999999') }), policy);
    expect(r.lossRateBelowThreshold).toBe(true);
    expect(r.requirement.toString()).toBe('200000.00');
  });

  it('RULES §6/§7: an undefined loss rate (zero balance with net compensation) is never below 2%', () => {
    const r = computeMarginRequirement(input({ lossRate: null }), policy);
    expect(r.requirement.toString()).toBe('300000.00');
  });

  it('RULES §7 rounding: 100,000,005.00 × 1% = 1,000,000.05; × 30% = 300,000.015 → 300,000.02 (half-up)', () => {
    const r = computeMarginRequirement(
      input({ reviewedBalancePreviousQuarter: m('100000005.00'), joinedOn: '2024-01-01' }),
      policy,
    );
    expect(r.feesReceivable.toString()).toBe('1000000.05');
    expect(r.requirement.toString()).toBe('300000.02');
  });

  it('RULES §7 rounding: 123,456,789.01 × 0.8% = 987,654.31208 → 987,654.31; × 30% = 296,296.293 → 296,296.29', () => {
    const r = computeMarginRequirement(
      input({
        reviewedBalancePreviousQuarter: m('123456789.01'),
        feeRateAnnual: Rate.of('0.008'),
        joinedOn: '2024-01-01',
      }),
      policy,
    );
    expect(r.feesReceivable.toString()).toBe('987654.31');
    expect(r.requirement.toString()).toBe('296296.29');
    expect(r.breakdown[0].text).toBe(
      "Fees receivable = previous quarter's reviewed balance 123,456,789.01 × annual fee rate 0.8% = 987,654.31 (rounded half-up to the fen)",
    );
  });
});
