import { DomainError } from '../../common/errors/domain-error';
import { Money } from '../../common/money/money';
import { HENAN_2021_BASE } from '../../programme/domain/henan-versions';
import {
  assertAgencyFeeAllowed,
  checkAgencyFee,
  type AgencyFeeInput,
} from './agency-fee.calculator';

const policy = HENAN_2021_BASE;

function fee(over: Partial<AgencyFeeInput>): AgencyFeeInput {
  return {
    loanAmount: Money.of('3000000.00'),
    fee: Money.of('30000.00'),
    periodMonths: 12,
    chargedOn: '2025-03-10',
    confirmationLetterOn: '2025-03-05',
    ...over,
  };
}

describe('checkAgencyFee (RULES §7; A 第六条(一))', () => {
  it('RULES §7: a yearly fee of 30,000.00 on 3,000,000.00 is exactly the 1% cap → allowed', () => {
    // cap = 3,000,000.00 × 1% × 12 / 12 = 30,000.00
    const r = checkAgencyFee(fee({}), policy);
    expect(r.cap.toString()).toBe('30000.00');
    expect(r.allowed).toBe(true);
    expect(r.violations).toEqual([]);
  });

  it('RULES §7: a yearly fee of 30,000.01 → refused AGENCY.FEE_ABOVE_CAP', () => {
    const r = checkAgencyFee(fee({ fee: Money.of('30000.01') }), policy);
    expect(r.allowed).toBe(false);
    expect(r.violations.map((v) => v.code)).toEqual(['AGENCY.FEE_ABOVE_CAP']);
  });

  it('RULES §7 Decision (pro-rating): one fee for an 18-month term is capped at 3,000,000 × 1% × 18/12 = 45,000.00', () => {
    expect(
      checkAgencyFee(fee({ fee: Money.of('45000.00'), periodMonths: 18 }), policy).allowed,
    ).toBe(true);
    expect(
      checkAgencyFee(fee({ fee: Money.of('45000.01'), periodMonths: 18 }), policy).allowed,
    ).toBe(false);
  });

  it('RULES §7 Decision: the cap is compared exactly and shown rounded down: 1,234,567.89 × 1% × 7/12 = 7,201.646025 → 7,201.64', () => {
    const ok = checkAgencyFee(
      fee({ loanAmount: Money.of('1234567.89'), fee: Money.of('7201.64'), periodMonths: 7 }),
      policy,
    );
    expect(ok.cap.toString()).toBe('7201.64');
    expect(ok.allowed).toBe(true);
    const over = checkAgencyFee(
      fee({ loanAmount: Money.of('1234567.89'), fee: Money.of('7201.65'), periodMonths: 7 }),
      policy,
    );
    expect(over.allowed).toBe(false);
  });

  it('RULES §7: a fee charged before the confirmation letter → AGENCY.FEE_BEFORE_CONFIRMATION', () => {
    const r = checkAgencyFee(fee({ chargedOn: '2025-03-04' }), policy);
    expect(r.violations.map((v) => v.code)).toEqual(['AGENCY.FEE_BEFORE_CONFIRMATION']);
  });

  it('RULES §7 Decision: a fee charged on the letter date is allowed', () => {
    expect(checkAgencyFee(fee({ chargedOn: '2025-03-05' }), policy).allowed).toBe(true);
  });

  it('RULES §7: no letter yet and above the cap → both violations listed; assert throws 422 AGENCY.FEE_REFUSED', () => {
    const r = checkAgencyFee(
      fee({ fee: Money.of('50000.00'), confirmationLetterOn: null }),
      policy,
    );
    expect(r.violations.map((v) => v.code)).toEqual([
      'AGENCY.FEE_ABOVE_CAP',
      'AGENCY.FEE_BEFORE_CONFIRMATION',
    ]);
    let thrown: unknown;
    try {
      assertAgencyFeeAllowed(r);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).code).toBe('AGENCY.FEE_REFUSED');
    expect((thrown as DomainError).kind).toBe('rule');
    expect((thrown as DomainError).details.map((d) => d.code)).toEqual([
      'AGENCY.FEE_ABOVE_CAP',
      'AGENCY.FEE_BEFORE_CONFIRMATION',
    ]);
  });

  it('RULES §7: a period of 0 months → 400 AGENCY.INVALID_FEE_PERIOD', () => {
    expect(() => checkAgencyFee(fee({ periodMonths: 0 }), policy)).toThrow(DomainError);
  });
});
