import type { BreakdownStep } from '../../common/breakdown';
import { fmtMoney, formatPercent } from '../../common/format/figures';
import { DomainError } from '../../common/errors/domain-error';
import { D, ROUND_HALF_UP } from '../../common/money/decimal';
import { Money } from '../../common/money/money';
import { Rate } from '../../common/money/rate';
import type { PolicyVersion } from '../../programme/domain/policy-version';
import { RISK_ERRORS } from './risk.errors';

/** Policy parameters the loss-rate rules read (RULES §6). */
export type LossRatePolicy = Pick<
  PolicyVersion,
  'lossRateWarning' | 'lossRateSevere' | 'zeroBalanceIsSevere'
>;

/** Decimals a loss rate is stored with (numeric(12,8)); rounded half-up. */
export const LOSS_RATE_DECIMALS = 8;

/** Decimals of a percent a loss rate is shown with (RULES §6, 2026-12: "4.0000%"); rounded half-up. */
export const LOSS_RATE_PERCENT_DECIMALS = 4;

/** A rate shown as RULES §6 shows it: a percentage rounded half-up to 4 decimals ("4.0000%"). */
export function lossRatePercent(rate: D): string {
  return `${rate.times(100).toDecimalPlaces(LOSS_RATE_PERCENT_DECIMALS, ROUND_HALF_UP).toFixed(LOSS_RATE_PERCENT_DECIMALS)}%`;
}

/**
 * Where a loss rate falls in the fuse table (RULES §6):
 * `normal` ≤ warning (4%), `warning` > 4% and ≤ 6%, `severe` > 6%.
 */
export type LossRateBand = 'normal' | 'warning' | 'severe';

/** Bank status from its loss rate (RULES §6; B 第十七条). `disqualified` is decided elsewhere. */
export type BankRiskStatus = 'active' | 'suspended_new' | 'suspended_focus';

/** Agency status from its loss rate (RULES §6; A 第十九条, S 二(三)2). */
export type AgencyRiskStatus = 'active' | 'suspended_new' | 'suspended_registration';

export interface LossRateInput {
  /** Compensation approved for the party's loans, cumulative (批复的损失补偿额). */
  approvedCompensation: Money;
  /** Refunds already returned by banks from recoveries (银行已返还的金额), cumulative. */
  refunded: Money;
  /** Compensation written off with the bad loans (已核销不良贷款的损失补偿额), cumulative. */
  writtenOffCompensation: Money;
  /** The bank's tech-loan outstanding balance, or the balance of loans the agency reviewed. */
  outstandingBalance: Money;
}

export interface LossRateResult {
  /** approved − refunded − written off. */
  netCompensation: Money;
  outstandingBalance: Money;
  /**
   * net / balance rounded half-up to 8 decimals (what numeric(12,8) stores); null when the balance
   * is zero and the net compensation positive (the ratio is undefined; the band says how it is
   * treated).
   */
  rate: Rate | null;
  /** net / balance exactly (decimal.js, 40 significant digits): the band is decided on it. */
  exactRate: Rate | null;
  /** The rate as shown: a percentage rounded half-up to 4 decimals ("4.0000%"); null when undefined. */
  ratePercent: string | null;
  band: LossRateBand;
  breakdown: BreakdownStep[];
}

const RULE = 'RULES §6; B 第十七条, A 第十八条(三)';

/**
 * The loss rate of a partner bank or an agency and its fuse band.
 *
 * RULES §6; B 第十七条 (banks), A 第十八条(三) (agencies):
 *   loss rate = (approved compensation − refunded − written-off compensation) / outstanding balance
 *
 * Exactness (RULES §6, revised 2026-12): the band is decided on the exact quotient, never on a
 * rounded one ("超过4%": 0.0400000049 is above 4%, so net 4,000,000.49 on 100,000,000.00 is in the
 * warning band); the rate is shown as a percentage rounded half-up to 4 decimals ("4.0000%") and
 * stored rounded half-up to 8 decimals (numeric(12,8)). Boundaries: exactly 4% is `normal`,
 * exactly 6% is `warning` (the table reads "≤ 4%" and "> 4% and ≤ 6%").
 * Zero balance: net 0 → rate 0, `normal`; net > 0 → rate null and, with the policy
 * `zeroBalanceIsSevere` (Decision, default true), `severe`; with it false, `normal` (nothing
 * outstanding to measure a loss against).
 * A negative net (refunds and write-offs above approvals) is inconsistent data → 400
 * RISK.NEGATIVE_NET_COMPENSATION.
 *
 * Worked example: approved 5,000,000.00, refunded 400,000.00, written off 100,000.00, balance
 * 100,000,000.00 → net 4,500,000.00, rate 4,500,000.00 / 100,000,000.00 = 0.045 → `warning`.
 */
export function computeLossRate(input: LossRateInput, policy: LossRatePolicy): LossRateResult {
  const { approvedCompensation, refunded, writtenOffCompensation, outstandingBalance } = input;
  if (outstandingBalance.isNegative()) {
    throw DomainError.invalid(
      RISK_ERRORS.NEGATIVE_BALANCE,
      'The outstanding balance must not be negative.',
    );
  }
  const netCompensation = approvedCompensation.minus(refunded).minus(writtenOffCompensation);
  const breakdown: BreakdownStep[] = [
    {
      rule: RULE,
      text:
        `Net compensation = approved ${fmtMoney(approvedCompensation)} − refunded ${fmtMoney(refunded)} ` +
        `− written off ${fmtMoney(writtenOffCompensation)} = ${fmtMoney(netCompensation)}`,
      value: netCompensation.toString(),
    },
  ];
  if (netCompensation.isNegative()) {
    throw DomainError.invalid(
      RISK_ERRORS.NEGATIVE_NET_COMPENSATION,
      'Refunds and write-offs exceed the approved compensation; the inputs are inconsistent.',
      [{ code: RISK_ERRORS.NEGATIVE_NET_COMPENSATION, message: breakdown[0].text }],
    );
  }
  const warning = new D(policy.lossRateWarning);
  const severe = new D(policy.lossRateSevere);

  if (outstandingBalance.isZero()) {
    if (netCompensation.isZero()) {
      breakdown.push({
        rule: RULE,
        text: 'Outstanding balance is 0.00 and net compensation is 0.00: loss rate 0 (nothing lost, nothing outstanding)',
        value: '0',
      });
      return { netCompensation, outstandingBalance, rate: Rate.of(0), exactRate: Rate.of(0), ratePercent: lossRatePercent(new D(0)), band: 'normal', breakdown };
    }
    const band: LossRateBand = policy.zeroBalanceIsSevere ? 'severe' : 'normal';
    breakdown.push({
      rule: 'RULES §6 Decision (zero balance)',
      text: policy.zeroBalanceIsSevere
        ? `Outstanding balance is 0.00 with net compensation ${fmtMoney(netCompensation)}: the rate is undefined and counts as above ${formatPercent(severe)}`
        : `Outstanding balance is 0.00 with net compensation ${fmtMoney(netCompensation)}: the rate is undefined; policy treats it as not above ${formatPercent(warning)}`,
    });
    return { netCompensation, outstandingBalance, rate: null, exactRate: null, ratePercent: null, band, breakdown };
  }

  const exact = netCompensation.dividedBy(outstandingBalance);
  const stored = exact.toDecimalPlaces(LOSS_RATE_DECIMALS, ROUND_HALF_UP);
  const ratePercent = lossRatePercent(exact);
  breakdown.push({
    rule: RULE,
    text:
      `Loss rate = ${fmtMoney(netCompensation)} / ${fmtMoney(outstandingBalance)} = ${exact.toSignificantDigits(20).toFixed()} ` +
      `(shown ${ratePercent}, rounded half-up to ${LOSS_RATE_PERCENT_DECIMALS} decimals of a percent; the band is decided on the exact rate)`,
    value: stored.toFixed(),
  });
  const band = bandOfRate(exact, warning, severe);
  breakdown.push({ rule: 'RULES §6 Decision (2026-12: exact rate)', text: describeBand(exact, ratePercent, band, warning, severe), value: band });
  return { netCompensation, outstandingBalance, rate: Rate.of(stored), exactRate: Rate.of(exact), ratePercent, band, breakdown };
}

function bandOfRate(rate: D, warning: D, severe: D): LossRateBand {
  if (rate.lessThanOrEqualTo(warning)) return 'normal';
  if (rate.lessThanOrEqualTo(severe)) return 'warning';
  return 'severe';
}

function describeBand(exact: D, shown: string, band: LossRateBand, warning: D, severe: D): string {
  const r = `exact rate ${exact.times(100).toSignificantDigits(20).toFixed()}% (shown ${shown})`;
  switch (band) {
    case 'normal':
      return `${r} ≤ ${formatPercent(warning)}: normal band`;
    case 'warning':
      return `${formatPercent(warning)} < ${r} ≤ ${formatPercent(severe)}: warning band`;
    case 'severe':
      return `${r} > ${formatPercent(severe)}: severe band`;
  }
}

export interface BankLossRateAssessment extends LossRateResult {
  status: BankRiskStatus;
}

export interface AgencyLossRateAssessment extends LossRateResult {
  status: AgencyRiskStatus;
}

const BANK_STATUS: Record<LossRateBand, BankRiskStatus> = {
  normal: 'active',
  warning: 'suspended_new',
  severe: 'suspended_focus',
};

const AGENCY_STATUS: Record<LossRateBand, AgencyRiskStatus> = {
  normal: 'active',
  warning: 'suspended_new',
  severe: 'suspended_registration',
};

/**
 * A partner bank's loss rate and the fuse status it triggers.
 *
 * RULES §6; B 第十七条, S 二(三)2: ≤ 4% active; > 4% and ≤ 6% `suspended_new` (no new loans,
 * renewals after a risk review); > 6% `suspended_focus` (no new loans, stock on the risk group's
 * watch list). Rate and rounding as in `computeLossRate`.
 *
 * Worked example: approved 6,500,000.00, refunded 0.00, written off 0.00, balance 100,000,000.00
 * → 0.065 > 6% → `suspended_focus`.
 */
export function assessBankLossRate(
  input: LossRateInput,
  policy: LossRatePolicy,
): BankLossRateAssessment {
  const result = computeLossRate(input, policy);
  const status = BANK_STATUS[result.band];
  const breakdown = [
    ...result.breakdown,
    {
      rule: 'RULES §6; B 第十七条',
      text: `Bank status: ${status} (${BANK_STATUS_TEXT[status]})`,
      value: status,
    },
  ];
  return { ...result, status, breakdown };
}

/**
 * An agency's loss rate (on the loans it reviewed) and the fuse status it triggers.
 *
 * RULES §6; A 第十八条(三), 第十九条(一), S 二(三)2: ≤ 4% active; > 4% and ≤ 6% `suspended_new`
 * (no new loans, partner banks are warned); > 6% `suspended_registration` (registration
 * suspended, on the watch list, banks notified). Rate and rounding as in `computeLossRate`.
 *
 * Worked example: approved 4,000,000.00, refunded 0.00, written off 0.00, reviewed balance
 * 100,000,000.00 → 0.04, exactly 4% → `active`.
 */
export function assessAgencyLossRate(
  input: LossRateInput,
  policy: LossRatePolicy,
): AgencyLossRateAssessment {
  const result = computeLossRate(input, policy);
  const status = AGENCY_STATUS[result.band];
  const breakdown = [
    ...result.breakdown,
    {
      rule: 'RULES §6; A 第十九条',
      text: `Agency status: ${status} (${AGENCY_STATUS_TEXT[status]})`,
      value: status,
    },
  ];
  return { ...result, status, breakdown };
}

const BANK_STATUS_TEXT: Record<BankRiskStatus, string> = {
  active: 'may lend under the programme',
  suspended_new: 'no new loans; renewals only after a risk review',
  suspended_focus: "no new loans; stock on the risk group's watch list",
};

const AGENCY_STATUS_TEXT: Record<AgencyRiskStatus, string> = {
  active: 'may review new loans',
  suspended_new: 'no new loans; warning to partner banks',
  suspended_registration: 'registration suspended; on the watch list; partner banks notified',
};
