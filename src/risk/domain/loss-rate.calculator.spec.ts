import { DomainError } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { HENAN_2021_BASE } from '../../programme/domain/henan-versions';
import {
  assessAgencyLossRate,
  assessBankLossRate,
  computeLossRate,
  type LossRateInput,
} from './loss-rate.calculator';

const policy = HENAN_2021_BASE;
const m = (s: string): Money => Money.of(s);

/** Net compensation `net` on a balance, no refunds or write-offs. */
function simple(net: string, balance: string): LossRateInput {
  return {
    approvedCompensation: m(net),
    refunded: Money.ZERO,
    writtenOffCompensation: Money.ZERO,
    outstandingBalance: m(balance),
  };
}

describe('computeLossRate (RULES §6; B 第十七条, A 第十八条(三))', () => {
  it('RULES §6 formula: (5,000,000 − 400,000 − 100,000) / 100,000,000 = 0.045, warning band', () => {
    // net = 5,000,000.00 − 400,000.00 − 100,000.00 = 4,500,000.00; 4,500,000 / 100,000,000 = 0.045
    const r = computeLossRate(
      {
        approvedCompensation: m('5000000.00'),
        refunded: m('400000.00'),
        writtenOffCompensation: m('100000.00'),
        outstandingBalance: m('100000000.00'),
      },
      policy,
    );
    expect(r.netCompensation.toString()).toBe('4500000.00');
    expect(r.rate?.toString()).toBe('0.045');
    expect(r.band).toBe('warning');
    expect(r.breakdown[0].text).toBe(
      'Net compensation = approved 5,000,000.00 − refunded 400,000.00 − written off 100,000.00 = 4,500,000.00',
    );
    expect(r.breakdown[1].text).toContain('4,500,000.00 / 100,000,000.00 = 0.045');
  });

  it('RULES §6 rounding: 1,000,000 / 3,000,000 = 0.333… → 0.33333333 (half-up, 8 decimals)', () => {
    expect(computeLossRate(simple('1000000.00', '3000000.00'), policy).rate?.toString()).toBe(
      '0.33333333',
    );
  });

  it('RULES §6 rounding: 2,000,000 / 3,000,000 = 0.666… → 0.66666667 (half-up, 8 decimals)', () => {
    expect(computeLossRate(simple('2000000.00', '3000000.00'), policy).rate?.toString()).toBe(
      '0.66666667',
    );
  });

  it('RULES §6 Decision: zero balance and zero net → rate 0, normal', () => {
    const r = computeLossRate(simple('0.00', '0.00'), policy);
    expect(r.rate?.toString()).toBe('0');
    expect(r.band).toBe('normal');
  });

  it('RULES §6 Decision: zero balance with positive net → rate null, counts as above 6% (severe)', () => {
    const r = computeLossRate(simple('0.01', '0.00'), policy);
    expect(r.rate).toBeNull();
    expect(r.band).toBe('severe');
  });

  it('RULES §6: with zeroBalanceIsSevere = false a zero balance with positive net is normal', () => {
    const r = computeLossRate(simple('100.00', '0.00'), { ...policy, zeroBalanceIsSevere: false });
    expect(r.rate).toBeNull();
    expect(r.band).toBe('normal');
  });

  it('RULES §6: refunds + write-offs above approvals are inconsistent → 400 RISK.NEGATIVE_NET_COMPENSATION', () => {
    // 1,000.00 − 800.00 − 300.00 = −100.00
    const input: LossRateInput = {
      approvedCompensation: m('1000.00'),
      refunded: m('800.00'),
      writtenOffCompensation: m('300.00'),
      outstandingBalance: m('100000.00'),
    };
    expect(() => computeLossRate(input, policy)).toThrow(DomainError);
    try {
      computeLossRate(input, policy);
    } catch (e) {
      expect((e as DomainError).code).toBe('RISK.NEGATIVE_NET_COMPENSATION');
      expect((e as DomainError).kind).toBe('invalid');
    }
  });

  it('RULES §6: the thresholds come from the policy (warning 5% makes 4.5% normal)', () => {
    expect(
      computeLossRate(simple('4500000.00', '100000000.00'), { ...policy, lossRateWarning: '0.05' })
        .band,
    ).toBe('normal');
  });
});

describe('assessBankLossRate (RULES §6; B 第十七条) boundaries around 4% and 6%, on the exact rate (2026-12)', () => {
  const balance = '100000000.00';
  it.each([
    // net / 100,000,000 → exact rate → shown (4 decimals of a percent) → status
    ['3999999.99', '4.0000%', 'active'], // 0.0399999999 ≤ 4% (shown 4.0000%, rounded half-up)
    ['4000000.00', '4.0000%', 'active'], // exactly 4% is active
    ['4000000.49', '4.0000%', 'suspended_new'], // issue 11 item 4: 0.0400000049 > 4% — above, though shown 4.0000%
    ['4000000.50', '4.0000%', 'suspended_new'],
    ['6000000.00', '6.0000%', 'suspended_new'], // exactly 6% is the middle band
    ['6000000.49', '6.0000%', 'suspended_focus'], // issue 11 item 4: 0.0600000049 > 6%
    ['6500000.00', '6.5000%', 'suspended_focus'],
  ])('RULES §6: net %s on 100,000,000.00 → shown %s → %s', (net, shown, status) => {
    const r = assessBankLossRate(simple(net, balance), policy);
    expect(r.status).toBe(status);
    expect(r.ratePercent).toBe(shown);
  });

  it('RULES §6 (2026-12): 4,000,000.49 / 100,000,000.00 — exact 0.0400000049, stored 0.04000000, shown 4.0000%, warning band', () => {
    const r = computeLossRate(simple('4000000.49', balance), policy);
    expect(r.exactRate?.toString()).toBe('0.0400000049');
    expect(r.rate?.toString()).toBe('0.04');
    expect(r.ratePercent).toBe('4.0000%');
    expect(r.band).toBe('warning');
    expect(r.breakdown[2].text).toBe('4% < exact rate 4.00000049% (shown 4.0000%) ≤ 6%: warning band');
  });

  it('RULES §6: 3,999,999.99 is 3.99999999%, shown 4.0000% (half-up), and stays active: the exact rate is not above 4%', () => {
    const r = assessBankLossRate(simple('3999999.99', balance), policy);
    expect(r.ratePercent).toBe('4.0000%');
    expect(r.status).toBe('active');
  });

  it('RULES §6 Decision: a bank with zero balance and a positive net is suspended_focus', () => {
    const r = assessBankLossRate(simple('50000.00', '0.00'), policy);
    expect(r.status).toBe('suspended_focus');
    expect(r.breakdown.at(-1)?.value).toBe('suspended_focus');
  });
});

describe('assessAgencyLossRate (RULES §6; A 第十九条, S 二(三)2) boundaries around 4% and 6%', () => {
  const balance = '50000000.00';
  it.each([
    ['2000000.00', 'active'], // 2,000,000 / 50,000,000 = 0.04 exactly → active
    ['2000000.50', 'suspended_new'], // 0.04000001 → > 4%
    ['3000000.00', 'suspended_new'], // 0.06 exactly → middle band: no new loans, warning to banks
    ['3000000.50', 'suspended_registration'], // 0.06000001 → > 6%
  ])('RULES §6: agency net %s on 50,000,000.00 → %s', (net, status) => {
    expect(assessAgencyLossRate(simple(net, balance), policy).status).toBe(status);
  });

  it('RULES §6 Decision: an agency with zero reviewed balance and a positive net is suspended_registration', () => {
    expect(assessAgencyLossRate(simple('1.00', '0.00'), policy).status).toBe(
      'suspended_registration',
    );
  });

  it('RULES §6: an agency at 0 net on a positive balance is active with rate 0', () => {
    const r = assessAgencyLossRate(simple('0.00', '1000000.00'), policy);
    expect(r.rate?.toString()).toBe('0');
    expect(r.status).toBe('active');
  });
});
