import fc from 'fast-check';
import { DomainError } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import { RecoveryRefundInput, recoveryRefund } from './recovery-refund.calculator';

const m = (s: string): Money => Money.of(s);

function input(
  overrides: Partial<Record<keyof RecoveryRefundInput, string>> = {},
): RecoveryRefundInput {
  const v = {
    recovered: '1000000.00',
    agreedCosts: '50000.00',
    compensationPaid: '1860000.00',
    lossAmount: '3100000.00',
    refundedSoFar: '0.00',
    ...overrides,
  };
  return {
    recovered: m(v.recovered),
    agreedCosts: m(v.agreedCosts),
    compensationPaid: m(v.compensationPaid),
    lossAmount: m(v.lossAmount),
    refundedSoFar: m(v.refundedSoFar),
  };
}

describe('recoveryRefund (RULES §5; S 三(六), R 第十七条, B 第十三条)', () => {
  it('API.md example: (1,000,000.00 − 50,000.00) × 1,860,000.00 / 3,100,000.00 = 570,000.00', () => {
    // 950,000 × 0.6 = 570,000.00
    const r = recoveryRefund(input());
    expect(r.net.toString()).toBe('950000.00');
    expect(r.uncappedRefund.toString()).toBe('570000.00');
    expect(r.refund.toString()).toBe('570000.00');
    expect(r.capped).toBe(false);
    expect(r.breakdown.map((s) => s.text)).toEqual([
      'Net recovery = recovered − agreed costs: 1,000,000.00 − 50,000.00 = 950,000.00',
      "Government's share: 950,000.00 × 1,860,000.00 / 3,100,000.00 = 570,000.00 → 570,000.00 (half-up to the fen)",
      '570,000.00 ≤ still refundable 1,860,000.00 − 0.00 = 1,860,000.00: refund 570,000.00',
    ]);
  });

  it('RULES §5: rounding half-up to the fen: 100.00 × 1,825,230.00 / 3,042,050.00 = 60.00; 0.01 share → 0.01', () => {
    // 1,825,230 / 3,042,050 = 0.6 exactly → 60.00
    expect(
      recoveryRefund(
        input({
          recovered: '100.00',
          agreedCosts: '0.00',
          compensationPaid: '1825230.00',
          lossAmount: '3042050.00',
        }),
      ).refund.toString(),
    ).toBe('60.00');
    // 0.01 × 0.6 = 0.006 → 0.01 (half-up)
    expect(
      recoveryRefund(input({ recovered: '0.01', agreedCosts: '0.00' })).refund.toString(),
    ).toBe('0.01');
  });

  it('RULES §5: shares: 100.00 × 4,055,611.11 / 8,111,222.22 = 50.00; 10.00 × 100.00 / 300.00 = 3.333… → 3.33', () => {
    // 4,055,611.11 / 8,111,222.22 = 0.5 exactly → 50.00
    expect(
      recoveryRefund(
        input({
          recovered: '100.00',
          agreedCosts: '0.00',
          compensationPaid: '4055611.11',
          lossAmount: '8111222.22',
        }),
      ).refund.toString(),
    ).toBe('50.00');
    // 10 × 100 / 300 = 3.3333… → 3.33 (half-up keeps 3.33)
    expect(
      recoveryRefund(
        input({
          recovered: '10.00',
          agreedCosts: '0.00',
          compensationPaid: '100.00',
          lossAmount: '300.00',
        }),
      ).uncappedRefund.toString(),
    ).toBe('3.33');
  });

  it('RULES §5 Decision: costs above the recovery (net −10,000.00) refund nothing', () => {
    const r = recoveryRefund(input({ recovered: '40000.00', agreedCosts: '50000.00' }));
    expect(r.net.toString()).toBe('-10000.00');
    expect(r.refund.toString()).toBe('0.00');
    expect(r.capped).toBe(false);
  });

  it('RULES §5 Decision: net exactly zero refunds nothing', () => {
    expect(
      recoveryRefund(input({ recovered: '50000.00', agreedCosts: '50000.00' })).refund.toString(),
    ).toBe('0.00');
  });

  it('RULES §5 Decision: cumulative cap: 1,500,000.00 already refunded → at most 360,000.00 more', () => {
    // uncapped (3,000,000 − 0) × 0.6 = 1,800,000.00 > 1,860,000.00 − 1,500,000.00 = 360,000.00
    const r = recoveryRefund(
      input({ recovered: '3000000.00', agreedCosts: '0.00', refundedSoFar: '1500000.00' }),
    );
    expect(r.uncappedRefund.toString()).toBe('1800000.00');
    expect(r.refundableRemaining.toString()).toBe('360000.00');
    expect(r.refund.toString()).toBe('360000.00');
    expect(r.capped).toBe(true);
  });

  it('RULES §5 Decision: refund equal to what remains is not capped (600,000 × 0.6 = 360,000.00)', () => {
    const r = recoveryRefund(
      input({ recovered: '600000.00', agreedCosts: '0.00', refundedSoFar: '1500000.00' }),
    );
    expect(r.refund.toString()).toBe('360000.00');
    expect(r.capped).toBe(false);
  });

  it('RULES §5 Decision: everything already refunded → 0.00, capped', () => {
    const r = recoveryRefund(input({ refundedSoFar: '1860000.00' }));
    expect(r.refund.toString()).toBe('0.00');
    expect(r.capped).toBe(true);
  });

  it.each([
    [{ lossAmount: '0.00' }, 'RECOVERY.LOSS_INVALID'],
    [{ compensationPaid: '3100000.01' }, 'RECOVERY.COMPENSATION_ABOVE_LOSS'],
    [{ refundedSoFar: '1860000.01' }, 'RECOVERY.REFUNDED_ABOVE_COMPENSATION'],
  ])('malformed input %j → %s (400)', (overrides, code) => {
    try {
      recoveryRefund(input(overrides));
      throw new Error('expected a throw');
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe(code);
    }
  });

  it('a negative amount → RECOVERY.NEGATIVE_AMOUNT', () => {
    expect(() => recoveryRefund({ ...input(), agreedCosts: Money.parseSigned('-1.00') })).toThrow(
      DomainError,
    );
  });

  it('property: over any sequence of recoveries, refunds are ≥ 0 and their sum never exceeds the compensation paid', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 1_000_000_000_00n }),
        fc.integer({ min: 0, max: 100 }),
        fc.array(
          fc.record({
            recovered: fc.bigInt({ min: 0n, max: 2_000_000_000_00n }),
            costs: fc.bigInt({ min: 0n, max: 10_000_000_00n }),
          }),
          { maxLength: 12 },
        ),
        (lossFen, ratioPercent, recoveries) => {
          const lossAmount = Money.fromFen(lossFen);
          const compensationPaid = lossAmount
            .timesRounded(Rate.percent(ratioPercent))
            .min(lossAmount);
          let refundedSoFar = Money.ZERO;
          for (const rec of recoveries) {
            const r = recoveryRefund({
              recovered: Money.fromFen(rec.recovered),
              agreedCosts: Money.fromFen(rec.costs),
              compensationPaid,
              lossAmount,
              refundedSoFar,
            });
            if (r.refund.isNegative()) return false;
            refundedSoFar = refundedSoFar.plus(r.refund);
            if (refundedSoFar.gt(compensationPaid)) return false;
          }
          return true;
        },
      ),
    );
  });
});

describe('recoveryRefund — cumulative (RULES §5 "Decision (rounding, 2026-12)")', () => {
  const base = { agreedCosts: Money.ZERO, compensationPaid: Money.of('1000000.00'), lossAmount: Money.of('2000000.00') };
  it('issue 11 item 6: two recoveries of 100,000.01 at 50% refund 50,000.01 then 50,000.00 (one of 200,000.02 refunds 100,000.01)', () => {
    // round(100,000.01 × 0.5 = 50,000.005) = 50,000.01
    const first = recoveryRefund({ ...base, recovered: Money.of('100000.01'), refundedSoFar: Money.ZERO, netRecoveredSoFar: Money.ZERO });
    expect(first.refund.toString()).toBe('50000.01');
    // round(200,000.02 × 0.5 = 100,000.01) − 50,000.01 = 50,000.00
    const second = recoveryRefund({ ...base, recovered: Money.of('100000.01'), refundedSoFar: Money.of('50000.01'), netRecoveredSoFar: Money.of('100000.01') });
    expect(second.refund.toString()).toBe('50000.00');
    expect(recoveryRefund({ ...base, recovered: Money.of('200000.02'), refundedSoFar: Money.ZERO, netRecoveredSoFar: Money.ZERO }).refund.toString()).toBe('100000.01');
    // Without the cumulative input, each its own share: 50,000.01 twice.
    expect(recoveryRefund({ ...base, recovered: Money.of('100000.01'), refundedSoFar: Money.of('50000.01') }).refund.toString()).toBe('50000.01');
  });

  it('a negative net recovery refunds nothing and claws nothing back; the total never exceeds the compensation', () => {
    const loss = recoveryRefund({ ...base, recovered: Money.of('100.00'), agreedCosts: Money.of('500.00'), refundedSoFar: Money.of('50000.01'), netRecoveredSoFar: Money.of('100000.01') });
    expect(loss.refund.toString()).toBe('0.00');
    const all = recoveryRefund({ ...base, recovered: Money.of('3000000.00'), refundedSoFar: Money.of('50000.01'), netRecoveredSoFar: Money.of('100000.01') });
    expect(all.refund.toString()).toBe('949999.99');
  });
});
