import type { BreakdownStep } from '../../common/breakdown';
import { addMonths } from '../../common/calendar/iso-date';
import type { ErrorDetail } from '../../common/errors/domain-error';
import type { Money } from '../../common/money/money';
import { fmtMoney } from '../../common/format/figures';
import type { PolicyVersion } from '../../programme/domain/policy-version';
import type { ReferenceRates } from '../../programme/domain/reference-rates';
import type { RevenueYearChoice } from './compensation-ratio.calculator';
import { checkEligibility, type EligibilityInput } from './eligibility.calculator';
import { LOAN_RULE_ERRORS } from './loan-rules.errors';

const RULE_PARTIES = 'RULES §2; S 二(二)3, A 第五条';
const RULE_RENEWAL = 'RULES §2 Decision; B 第七条';
const RULE_GROUP = 'RULES §2; A 第七条';

/** A party's status in force on the registration date (RULES §6), as the status history gives it. */
export interface PartyStatusOn {
  /** 'active', 'suspended_new', 'suspended_focus' or 'disqualified'. */
  status: string;
  reason: string | null;
  /** The date the status took effect; null for a party that was never anything but active. */
  since: string | null;
}

/** The loan a renewal names in `renewalOf`, as registered. */
export interface RenewalTarget {
  borrowerCode: string;
  bankCode: string;
  reference: string;
  registeredOn: string;
}

/**
 * The latest event of the borrower's enterprise group on or before the registration date: a loan
 * of any borrower of the group, or an approved change of agency (a change wins a tie on the date).
 * Its agency is the one serving the group.
 */
export interface GroupLatestEvent {
  agencyCode: string;
  kind: 'loan' | 'change';
  onDate: string;
}

/**
 * The group's latest event from its latest registered loan and its latest approved change of
 * agency on or before the registration date (each already the latest recorded among its own kind
 * on its date): the later date wins, and on the same date the change wins (it was approved for the
 * group, so it decides who serves it from that day). null when the group has neither.
 */
export function latestGroupEvent(
  latestLoan: { agencyCode: string; registeredOn: string } | null,
  latestChange: { toAgencyCode: string; approvedOn: string } | null,
): GroupLatestEvent | null {
  if (latestChange && (!latestLoan || latestChange.approvedOn >= latestLoan.registeredOn)) {
    return { agencyCode: latestChange.toAgencyCode, kind: 'change', onDate: latestChange.approvedOn };
  }
  return latestLoan ? { agencyCode: latestLoan.agencyCode, kind: 'loan', onDate: latestLoan.registeredOn } : null;
}

/** The latest approved change of the group's agency to this agency, on or before the registration date. */
export interface ChangeToAgency {
  approvedOn: string;
  /** The credit line the group had with its previous agency. */
  previousCreditLine: Money;
  /** The group's loans registered with this agency since the change (on or after its date). */
  loansSinceChange: Money;
}

/** Everything the registration rules look at, gathered by the service; no I/O past this point. */
export interface RegistrationFacts {
  bankCode: string;
  agencyCode: string;
  borrowerCode: string;
  /** The borrower's enterprise group; null when it has none (it is then its own group). */
  groupCode: string | null;
  registeredOn: string;
  /** The loan the registration renews (its id); null unless a renewal. */
  renewalOf: string | null;
  /** A renewal registered after the risk review of RULES §6 (bank or agency in the 4–6% band). */
  riskReviewed: boolean;
  /** The reference rates of the rate cap (PBoC benchmark, LPR), as stored. */
  rates: ReferenceRates;
  /** Amount, rate, term, security, collateral, renewal flag and the borrower's qualifications. */
  eligibility: EligibilityInput;
  /** Which year's revenue decides the ratio (`chooseRevenueYear`), or why none can. */
  revenueChoice: RevenueYearChoice;
  bankStatus: PartyStatusOn;
  agencyStatus: PartyStatusOn;
  /** The tri-party agreement of the bank and the agency; null when there is none. */
  agreement: { signedOn: string } | null;
  /** The loan `renewalOf` names; null when it names none (or when the loan is not a renewal). */
  renewalTarget: RenewalTarget | null;
  /** null: the group has no loan and no change of agency yet. */
  groupLatestEvent: GroupLatestEvent | null;
  /** null: no change of agency to this agency on or before the registration date. */
  changeToAgency: ChangeToAgency | null;
}

export interface RegistrationCheck {
  /** Every broken rule, in the order the rules are listed below; empty when the loan may be registered. */
  violations: ErrorDetail[];
  breakdown: BreakdownStep[];
}

interface RuleOutcome {
  violations: ErrorDetail[];
  breakdown: BreakdownStep[];
}

/**
 * Whether a loan may be registered (备案), listing every broken rule at once (RULES §2, §3, §6):
 * 1. the tech-loan conditions (`checkEligibility`: collateral, rate cap, borrower, term; RULES §2;
 *    S 二(一), B 第七条);
 * 2. a recorded revenue year (RULES §3 Decision; B 第九条): LOAN.REVENUE_MISSING;
 * 3. the bank active on the date (RULES §2, §6; S 二(二)3, B 第十七条): LOAN.BANK_NOT_ACTIVE,
 *    except that a bank in `suspended_new` may still register a renewal (续贷) with
 *    `riskReviewed: true` (RULES §6);
 * 4. the agency active on the date (RULES §2, §6; A 第五条): LOAN.AGENCY_NOT_ACTIVE, with the same
 *    renewal exception (A 第十九条 "原有业务可在风险评估的基础上，开展续贷业务");
 * 5. a tri-party agreement signed on or before the date (RULES §2; S 二(二)3, A 第五条):
 *    LOAN.NO_AGREEMENT;
 * 6. a renewal names a registered loan of the same borrower with the same bank (RULES §2
 *    Decision; B 第七条): LOAN.RENEWAL_OF_INVALID;
 * 7. one agency per enterprise group (RULES §2; A 第七条): the agency of the group's latest event
 *    serves it, another is refused (LOAN.GROUP_SERVED_BY_OTHER_AGENCY); within one year of a
 *    change to this agency, the group's loans with it since the change, this one included, may
 *    not exceed the previous credit line (LOAN.CREDIT_LINE_ABOVE_PREVIOUS).
 * The breakdown starts with the policy version in force and says how each rule went.
 *
 * Worked example (A 第七条): a group whose agency changed to AG02 on 2025-04-01 with a previous
 * credit line of 2,000,000.00 has registered 1,500,000.00 with AG02 since; a loan of 600,000.00
 * on 2025-05-02 gives 1,500,000.00 + 600,000.00 = 2,100,000.00 > 2,000,000.00 within the year →
 * LOAN.CREDIT_LINE_ABOVE_PREVIOUS; 500,000.00 (exactly 2,000,000.00) passes.
 */
export function checkRegistration(facts: RegistrationFacts, policy: PolicyVersion): RegistrationCheck {
  const violations: ErrorDetail[] = [];
  const breakdown: BreakdownStep[] = [
    { rule: 'RULES §11a', text: `Policy version ${policy.id} of ${policy.programme} in force on ${facts.registeredOn} (effective from ${policy.effectiveFrom})`, value: policy.id },
  ];
  const eligibility = checkEligibility({ ...facts.eligibility, registeredOn: facts.registeredOn }, policy, facts.rates);
  violations.push(...eligibility.violations);
  breakdown.push(...eligibility.breakdown);
  breakdown.push(...facts.revenueChoice.breakdown);
  if (!facts.revenueChoice.found) violations.push(facts.revenueChoice.violation);
  for (const outcome of [partyStatusRule(facts, 'bank'), partyStatusRule(facts, 'agency'), agreementRule(facts), renewalRule(facts), groupRule(facts)]) {
    violations.push(...outcome.violations);
    breakdown.push(...outcome.breakdown);
  }
  return { violations, breakdown };
}

const inForce = (s: PartyStatusOn) => `${s.status} since ${s.since}${s.reason ? ` (${s.reason})` : ''}`;

/**
 * RULES §2, §6; S 二(二)3, B 第十七条, A 第十九条: a party must be active, except that a bank or an
 * agency in `suspended_new` (the 4–6% band: no new loans) may still register a renewal (续贷)
 * after a risk review, which the registration states with `riskReviewed: true`. `suspended_focus`
 * and `disqualified` parties register nothing.
 */
function partyStatusRule(facts: RegistrationFacts, party: 'bank' | 'agency'): RuleOutcome {
  const s = party === 'bank' ? facts.bankStatus : facts.agencyStatus;
  const code = party === 'bank' ? facts.bankCode : facts.agencyCode;
  const who = party === 'bank' ? 'Bank' : 'Agency';
  const renewal = facts.eligibility.isRenewal;
  const renewalAllowed = s.status === 'suspended_new' && renewal && facts.riskReviewed;
  const text = `${who} ${code} status on ${facts.registeredOn}: ${s.status}${renewalAllowed ? ' (renewal after risk review allowed)' : ''}`;
  const breakdown: BreakdownStep[] = [{ rule: RULE_PARTIES, text, value: s.status }];
  if (s.status === 'active' || renewalAllowed) return { violations: [], breakdown };
  const hint = s.status === 'suspended_new' && renewal ? ': a renewal needs riskReviewed: true (RULES §6)' : ': no new loans';
  return {
    violations: [
      {
        code: party === 'bank' ? LOAN_RULE_ERRORS.BANK_NOT_ACTIVE : LOAN_RULE_ERRORS.AGENCY_NOT_ACTIVE,
        field: party === 'bank' ? 'bankCode' : 'agencyCode',
        message: `${who} ${code} is ${inForce(s)}${hint}`,
        status: s.status,
        since: s.since,
      },
    ],
    breakdown,
  };
}

/** RULES §2; S 二(二)3, A 第五条: an agreement signed on or before the registration date. */
function agreementRule(facts: RegistrationFacts): RuleOutcome {
  const { agreement, bankCode, agencyCode } = facts;
  if (agreement && agreement.signedOn <= facts.registeredOn) {
    return { violations: [], breakdown: [{ rule: RULE_PARTIES, text: `Tri-party agreement ${bankCode} × ${agencyCode} signed ${agreement.signedOn}` }] };
  }
  const message = agreement
    ? `The tri-party agreement of bank ${bankCode} and agency ${agencyCode} was signed on ${agreement.signedOn}, after ${facts.registeredOn}`
    : `Bank ${bankCode} and agency ${agencyCode} have no tri-party agreement`;
  return { violations: [{ code: LOAN_RULE_ERRORS.NO_AGREEMENT, message, bankCode, agencyCode }], breakdown: [] };
}

/** RULES §2 Decision; B 第七条: a renewal renews a registered loan of the same borrower with the same bank. */
function renewalRule(facts: RegistrationFacts): RuleOutcome {
  if (!facts.eligibility.isRenewal || !facts.renewalOf) return { violations: [], breakdown: [] };
  const target = facts.renewalTarget;
  if (!target || target.borrowerCode !== facts.borrowerCode || target.bankCode !== facts.bankCode) {
    return {
      violations: [
        {
          code: LOAN_RULE_ERRORS.RENEWAL_OF_INVALID,
          field: 'renewalOf',
          message: `renewalOf ${facts.renewalOf} is not a registered loan of borrower ${facts.borrowerCode} with bank ${facts.bankCode}`,
        },
      ],
      breakdown: [],
    };
  }
  return { violations: [], breakdown: [{ rule: RULE_RENEWAL, text: `Renewal (续贷) of loan ${target.reference} registered ${target.registeredOn}` }] };
}

/**
 * RULES §2; A 第七条 ("同一企业及其关联企业…选择一家专业机构…专业机构审核一年内申请续贷且更换专业机构的企业时，
 * 对其授信额度不得高于原专业机构授信额度").
 */
function groupRule(facts: RegistrationFacts): RuleOutcome {
  const who = facts.groupCode ? `Group ${facts.groupCode}` : 'The borrower';
  const agency = facts.agencyCode;
  if (!facts.groupLatestEvent) {
    return { violations: [], breakdown: [{ rule: RULE_GROUP, text: `${who} has no agency yet: ${agency} may serve it` }] };
  }
  const serving = facts.groupLatestEvent.agencyCode;
  if (serving !== agency) {
    return {
      violations: [
        {
          code: LOAN_RULE_ERRORS.GROUP_SERVED_BY_OTHER_AGENCY,
          field: 'agencyCode',
          message: `${who} is served by agency ${serving}; agency ${agency} needs an approved change of agency first`,
          servedBy: serving,
          groupCode: facts.groupCode,
        },
      ],
      breakdown: [{ rule: RULE_GROUP, text: `${who} is served by ${serving}, not ${agency}` }],
    };
  }
  const breakdown: BreakdownStep[] = [{ rule: RULE_GROUP, text: `${who} is served by ${serving}` }];
  const change = facts.changeToAgency;
  if (!change || facts.registeredOn >= addMonths(change.approvedOn, 12)) return { violations: [], breakdown };
  const newLine = change.loansSinceChange.plus(facts.eligibility.amount);
  const previousLine = change.previousCreditLine;
  const text = `Within one year of the change approved ${change.approvedOn}: new credit line ${fmtMoney(newLine)} ${newLine.lte(previousLine) ? '≤' : '>'} previous ${fmtMoney(previousLine)}`;
  breakdown.push({ rule: RULE_GROUP, text, value: newLine.toString() });
  if (!newLine.gt(previousLine)) return { violations: [], breakdown };
  return {
    violations: [
      {
        code: LOAN_RULE_ERRORS.CREDIT_LINE_ABOVE_PREVIOUS,
        field: 'amount',
        message: `${text}: the new credit line may not exceed the old one for a year after a change of agency`,
        newCreditLine: newLine.toString(),
        previousCreditLine: previousLine.toString(),
        changeApprovedOn: change.approvedOn,
      },
    ],
    breakdown,
  };
}
