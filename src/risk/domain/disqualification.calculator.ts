import type { BreakdownStep } from '../../common/breakdown';
import type { PolicyVersion } from '../../programme/domain/policy-version';
import { addMonths, parseIsoDate } from '../../common/calendar/iso-date';

/** Policy parameters of the dormancy rules (RULES §6). */
export type DormancyPolicy = Pick<PolicyVersion, 'bankDormantYears' | 'agencyDormantMonths'>;

/**
 * How long a bank disqualified for dormancy must wait before it may apply again (B 第十八条:
 * "两年内不得再次申请"). A rule-book constant rather than a PolicyVersion field because the policy
 * type is owned elsewhere; pass another value through `bankReapplyWaitYears` if a version differs.
 */
export const BANK_REAPPLY_WAIT_YEARS = 2;

export interface BankDormancyInput {
  /** Date the bank joined the programme (its cooperation agreement). */
  joinedOn: string;
  /** Its latest tech-loan disbursement, or null when it never disbursed one. */
  lastDisbursedOn: string | null;
  /** The date the check is made (e.g. the quarter's review date). */
  asOf: string;
  /** Override of BANK_REAPPLY_WAIT_YEARS. */
  bankReapplyWaitYears?: number;
}

export interface BankDormancyResult {
  /** The date the dormancy clock started: the later of joinedOn and lastDisbursedOn. */
  dormantSince: string;
  /** dormantSince + bankDormantYears (calendar years, month-end clamped). */
  disqualifiedFrom: string;
  disqualified: boolean;
  /** disqualifiedFrom + the reapply wait; only meaningful when disqualified. */
  mayReapplyFrom: string;
  breakdown: BreakdownStep[];
}

/**
 * Whether a partner bank is disqualified for making no tech-loan disbursement for 3 consecutive
 * years (RULES §6; B 第十八条 "连续三年无'科技贷'业务放款", S 二(三)2).
 *
 * Reading (Decision, RULES is silent on the exact count): the years are rolling calendar years,
 * not budget years. The clock starts on the later of the bank's joining date and its latest
 * disbursement (a bank cannot be dormant before it joined). The bank is disqualified on the
 * anniversary `dormantSince + 3 years` (month-end clamped: 2021-02-28 stays 2024-02-28, 2020-02-29
 * becomes 2023-02-28) and on any later as-of date, because by then three whole years have passed
 * with no disbursement; the day before it is not. A disbursement on or after that anniversary
 * would restart the clock, but once disqualification has been recorded it stands (the service
 * keeps the status). It may apply again `2 years` after the disqualification date.
 *
 * Worked example: joined 2019-05-01, last disbursed 2021-03-15, as of 2024-03-15 →
 * dormant since 2021-03-15, disqualified from 2024-03-15 (3 years later) → disqualified; may
 * reapply from 2026-03-15. As of 2024-03-14 → not disqualified.
 */
export function checkBankDormancy(
  input: BankDormancyInput,
  policy: DormancyPolicy,
): BankDormancyResult {
  parseIsoDate(input.joinedOn, 'joinedOn');
  parseIsoDate(input.asOf, 'asOf');
  if (input.lastDisbursedOn !== null) parseIsoDate(input.lastDisbursedOn, 'lastDisbursedOn');
  const rule = 'RULES §6; B 第十八条';
  const dormantSince =
    input.lastDisbursedOn === null
      ? input.joinedOn
      : laterDate(input.joinedOn, input.lastDisbursedOn);
  const disqualifiedFrom = addMonths(dormantSince, policy.bankDormantYears * 12);
  const disqualified = input.asOf >= disqualifiedFrom;
  const waitYears = input.bankReapplyWaitYears ?? BANK_REAPPLY_WAIT_YEARS;
  const mayReapplyFrom = addMonths(disqualifiedFrom, waitYears * 12);
  const breakdown: BreakdownStep[] = [
    {
      rule,
      text:
        input.lastDisbursedOn === null
          ? `No disbursement recorded: the clock starts on the joining date ${input.joinedOn}`
          : `Clock starts on the later of joining date ${input.joinedOn} and last disbursement ${input.lastDisbursedOn}: ${dormantSince}`,
      value: dormantSince,
    },
    {
      rule,
      text: `${dormantSince} + ${policy.bankDormantYears} years (month-end clamped) = ${disqualifiedFrom}: disqualified from that date if nothing is disbursed`,
      value: disqualifiedFrom,
    },
    {
      rule,
      text: disqualified
        ? `As of ${input.asOf} ≥ ${disqualifiedFrom}: ${policy.bankDormantYears} consecutive years without a disbursement → disqualified; may reapply from ${mayReapplyFrom} (${waitYears} years later)`
        : `As of ${input.asOf} < ${disqualifiedFrom}: not disqualified`,
      value: disqualified ? 'disqualified' : 'not_disqualified',
    },
  ];
  return { dormantSince, disqualifiedFrom, disqualified, mayReapplyFrom, breakdown };
}

export interface AgencyDormancyInput {
  /** Date the agency joined the programme. */
  joinedOn: string;
  /**
   * Its latest business: the latest registration (备案) of a loan it reviewed, or null when it
   * never had one. The service decides what counts; registrations are the default.
   */
  lastBusinessOn: string | null;
  asOf: string;
}

export interface AgencyDormancyResult {
  dormantSince: string;
  /** dormantSince + agencyDormantMonths (calendar months, month-end clamped). */
  disqualifiedFrom: string;
  disqualified: boolean;
  breakdown: BreakdownStep[];
}

/**
 * Whether an agency is disqualified for having no business for 6 consecutive months
 * (RULES §6; A 第二十一条, S 二(三)2 "长期未开展业务").
 *
 * Reading (Decision): as for banks, a rolling period from the later of the joining date and the
 * latest business date; disqualified on `dormantSince + 6 calendar months` (month-end clamped:
 * 2024-08-31 → 2025-02-28) and after.
 *
 * Worked example: joined 2022-01-10, last business 2024-08-31, as of 2025-02-28 →
 * dormant since 2024-08-31, disqualified from 2025-02-28 → disqualified; as of 2025-02-27 → not.
 */
export function checkAgencyDormancy(
  input: AgencyDormancyInput,
  policy: DormancyPolicy,
): AgencyDormancyResult {
  parseIsoDate(input.joinedOn, 'joinedOn');
  parseIsoDate(input.asOf, 'asOf');
  if (input.lastBusinessOn !== null) parseIsoDate(input.lastBusinessOn, 'lastBusinessOn');
  const rule = 'RULES §6; A 第二十一条';
  const dormantSince =
    input.lastBusinessOn === null
      ? input.joinedOn
      : laterDate(input.joinedOn, input.lastBusinessOn);
  const disqualifiedFrom = addMonths(dormantSince, policy.agencyDormantMonths);
  const disqualified = input.asOf >= disqualifiedFrom;
  const breakdown: BreakdownStep[] = [
    {
      rule,
      text:
        input.lastBusinessOn === null
          ? `No business recorded: the clock starts on the joining date ${input.joinedOn}`
          : `Clock starts on the later of joining date ${input.joinedOn} and last business ${input.lastBusinessOn}: ${dormantSince}`,
      value: dormantSince,
    },
    {
      rule,
      text: `${dormantSince} + ${policy.agencyDormantMonths} months (month-end clamped) = ${disqualifiedFrom}`,
      value: disqualifiedFrom,
    },
    {
      rule,
      text: disqualified
        ? `As of ${input.asOf} ≥ ${disqualifiedFrom}: ${policy.agencyDormantMonths} consecutive months without business → disqualified`
        : `As of ${input.asOf} < ${disqualifiedFrom}: not disqualified`,
      value: disqualified ? 'disqualified' : 'not_disqualified',
    },
  ];
  return { dormantSince, disqualifiedFrom, disqualified, breakdown };
}

/** The later of two valid ISO dates (they order like strings). */
function laterDate(a: string, b: string): string {
  return a >= b ? a : b;
}
