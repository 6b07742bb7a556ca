import type { BreakdownStep } from '../../common/breakdown';
import { addMonths, minDate, parseIsoDate } from '../../common/calendar/iso-date';
import type { PolicyVersion } from '../../programme/domain/policy-version';
import { CLAIM_ERRORS } from './claims.errors';

export interface ClaimTriggerInput {
  /** First day the principal was overdue (YYYY-MM-DD), when it is. */
  principalOverdueSince?: string | null;
  /** Day the court accepted the bank's lawsuit, when it did. */
  lawsuitAcceptedOn?: string | null;
  claimDate: string;
}

export interface IneligibleReason {
  code: typeof CLAIM_ERRORS.NO_TRIGGER | typeof CLAIM_ERRORS.NOT_YET_ELIGIBLE;
  message: string;
}

export interface ClaimTriggerResult {
  eligible: boolean;
  /** The first day a trigger holds: the earlier of the two triggers, null when neither date is given. */
  eligibleFrom: string | null;
  /** principalOverdueSince + claimOverdueMonths calendar months (month-end clamped), or null. */
  overdueTriggerFrom: string | null;
  /** lawsuitAcceptedOn, or null. */
  lawsuitTriggerFrom: string | null;
  ineligibleReason?: IneligibleReason;
  breakdown: BreakdownStep[];
}

const RULE = 'RULES §4; S 三(五), R 第十二条, B 第十二条';

/**
 * When a bank may claim (RULES §4; S 三(五), R 第十二条, B 第十二条): the principal has been
 * overdue for policy.claimOverdueMonths (2) calendar months or more — month-end clamped, so
 * overdue since 2025-02-28 → from 2025-04-28, since 2024-12-31 → from 2025-02-28 — or a court has
 * accepted the bank's lawsuit. eligibleFrom is the earlier trigger (null when neither date is
 * given); the claim is eligible on claimDate iff eligibleFrom ≤ claimDate.
 *
 * Example (API.md): overdue since 2025-05-10, no lawsuit, claim 2025-07-15 → eligibleFrom
 * 2025-07-10 ≤ 2025-07-15 → eligible.
 */
export function claimTrigger(input: ClaimTriggerInput, policy: PolicyVersion): ClaimTriggerResult {
  const breakdown: BreakdownStep[] = [];
  const { overdueTriggerFrom, lawsuitTriggerFrom } = triggerDates(input, policy, breakdown);

  let eligibleFrom: string | null = null;
  if (overdueTriggerFrom !== null && lawsuitTriggerFrom !== null)
    eligibleFrom = minDate(overdueTriggerFrom, lawsuitTriggerFrom);
  else eligibleFrom = overdueTriggerFrom ?? lawsuitTriggerFrom;

  if (eligibleFrom === null) {
    const ineligibleReason: IneligibleReason = {
      code: CLAIM_ERRORS.NO_TRIGGER,
      message: 'Neither trigger holds: no principal overdue date and no lawsuit acceptance date',
    };
    breakdown.push({
      rule: RULE,
      text: `${ineligibleReason.message}: not eligible`,
      value: 'not eligible',
    });
    return {
      eligible: false,
      eligibleFrom,
      overdueTriggerFrom,
      lawsuitTriggerFrom,
      ineligibleReason,
      breakdown,
    };
  }

  if (overdueTriggerFrom !== null && lawsuitTriggerFrom !== null) {
    breakdown.push({
      rule: RULE,
      text: `Eligible from the earlier of ${overdueTriggerFrom} and ${lawsuitTriggerFrom} = ${eligibleFrom}`,
      value: eligibleFrom,
    });
  }
  return onClaimDate(input.claimDate, { eligibleFrom, overdueTriggerFrom, lawsuitTriggerFrom }, breakdown);
}

/**
 * The dates given, checked, and the day each trigger holds from: overdue since + claimOverdueMonths
 * calendar months (month-end clamped), and the lawsuit's acceptance day; null when not given.
 */
function triggerDates(
  input: ClaimTriggerInput,
  policy: PolicyVersion,
  breakdown: BreakdownStep[],
): { overdueTriggerFrom: string | null; lawsuitTriggerFrom: string | null } {
  parseIsoDate(input.claimDate, 'claimDate');
  const overdueSince = input.principalOverdueSince ?? null;
  const lawsuitOn = input.lawsuitAcceptedOn ?? null;
  if (overdueSince !== null) parseIsoDate(overdueSince, 'principalOverdueSince');
  if (lawsuitOn !== null) parseIsoDate(lawsuitOn, 'lawsuitAcceptedOn');

  const months = policy.claimOverdueMonths;
  const overdueTriggerFrom = overdueSince === null ? null : addMonths(overdueSince, months);
  if (overdueTriggerFrom !== null) {
    breakdown.push({
      rule: RULE,
      text: `Principal overdue since ${overdueSince} + ${months} calendar months (month-end clamped) = ${overdueTriggerFrom}`,
      value: overdueTriggerFrom,
    });
  } else {
    breakdown.push({
      rule: RULE,
      text: 'No principal overdue date given: the overdue trigger does not apply',
    });
  }
  breakdown.push({
    rule: RULE,
    text:
      lawsuitOn === null
        ? 'No lawsuit acceptance date given: the lawsuit trigger does not apply'
        : `Court accepted the lawsuit on ${lawsuitOn}`,
    ...(lawsuitOn === null ? {} : { value: lawsuitOn }),
  });
  return { overdueTriggerFrom, lawsuitTriggerFrom: lawsuitOn };
}

/** Eligible on the claim date iff the first day a trigger holds is on or before it. */
function onClaimDate(
  claimDate: string,
  dates: { eligibleFrom: string; overdueTriggerFrom: string | null; lawsuitTriggerFrom: string | null },
  breakdown: BreakdownStep[],
): ClaimTriggerResult {
  const { eligibleFrom, overdueTriggerFrom, lawsuitTriggerFrom } = dates;
  const eligible = eligibleFrom <= claimDate;
  if (eligible) {
    breakdown.push({
      rule: RULE,
      text: `Claim date ${claimDate} ≥ ${eligibleFrom}: eligible`,
      value: 'eligible',
    });
    return { eligible, eligibleFrom, overdueTriggerFrom, lawsuitTriggerFrom, breakdown };
  }
  const ineligibleReason: IneligibleReason = {
    code: CLAIM_ERRORS.NOT_YET_ELIGIBLE,
    message: `Not yet eligible on ${claimDate}: the first day a trigger holds is ${eligibleFrom}`,
  };
  breakdown.push({
    rule: RULE,
    text: `Claim date ${claimDate} < ${eligibleFrom}: not yet eligible`,
    value: 'not eligible',
  });
  return {
    eligible,
    eligibleFrom,
    overdueTriggerFrom,
    lawsuitTriggerFrom,
    ineligibleReason,
    breakdown,
  };
}
