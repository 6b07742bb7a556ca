import type { BreakdownStep } from '../../common/breakdown';
import { addDays, addMonths, yearOf } from '../../common/calendar/iso-date';
import type { ErrorDetail } from '../../common/errors/domain-error';

/** The two qualifications of RULES §2: a certified high-tech enterprise, a registered tech SME. */
export const QUALIFICATION_KINDS = ['high_tech', 'tech_sme'] as const;
export type QualificationKind = (typeof QUALIFICATION_KINDS)[number];

/** A dated qualification record of a borrower (validTo inclusive). */
export interface QualificationRecord {
  kind: QualificationKind;
  validFrom: string;
  validTo: string;
}

const LABEL: Record<QualificationKind, string> = {
  high_tech: 'high-tech enterprise certificate (高新技术企业)',
  tech_sme: 'tech-SME registration (科技型中小企业)',
};

export const QUALIFICATION_ERRORS = {
  VALIDITY_INVALID: 'BORROWER.QUALIFICATION_VALIDITY_INVALID',
} as const;

/**
 * The last day a qualification can be valid (RULES §2): a high-tech enterprise certificate for 3
 * years from its issue date (issued 2022-12-01 → valid through 2025-11-30); a tech-SME
 * registration for one calendar year, the year it was granted for (from 2025-03-15 → through
 * 2025-12-31). Decision: "one calendar year" is read as the registration year, because the
 * tech-SME evaluation is renewed each year and its registration number is valid for that year.
 */
export function maxValidTo(kind: QualificationKind, validFrom: string): string {
  return kind === 'high_tech' ? addDays(addMonths(validFrom, 36), -1) : `${yearOf(validFrom)}-12-31`;
}

/**
 * Checks a record's dates: validTo not before validFrom and not after `maxValidTo`. Returns the
 * problems (empty when fine). A record given without validTo gets `maxValidTo` (the service fills it).
 */
export function checkQualificationRecord(r: QualificationRecord, field = 'qualifications'): ErrorDetail[] {
  const max = maxValidTo(r.kind, r.validFrom);
  if (r.validTo < r.validFrom) {
    return [{ code: QUALIFICATION_ERRORS.VALIDITY_INVALID, field, message: `${r.kind}: validTo ${r.validTo} is before validFrom ${r.validFrom}` }];
  }
  if (r.validTo > max) {
    return [{ code: QUALIFICATION_ERRORS.VALIDITY_INVALID, field, message: `${r.kind}: a ${LABEL[r.kind]} from ${r.validFrom} is valid at most through ${max}, not ${r.validTo}`, maxValidTo: max }];
  }
  return [];
}

export interface QualificationFacts {
  /** The borrower's flags (used only when it has no records). */
  highTech: boolean;
  techSme: boolean;
  records: readonly QualificationRecord[];
  registeredOn: string;
  renewal: boolean;
}

export interface QualificationJudgement {
  qualified: boolean;
  /** `flags`: no records, the flags decide (the behaviour before records existed). */
  basis: 'flags' | 'valid_on_date' | 'previous_year' | 'none';
  breakdown: BreakdownStep[];
}

const RULE = 'RULES §2; S 二(一), S 三(一)';
const describe = (r: QualificationRecord) => `${LABEL[r.kind]} valid ${r.validFrom} – ${r.validTo}`;

/**
 * Whether the borrower is qualified for a registration (RULES §2, revised 2026-12):
 * - with qualification records: one of them valid on the registration date; for a renewal (续贷,
 *   S 三(一) "可按上年度资质继续享受政策") also one valid on any day of the previous calendar year;
 * - without records: the flags as before (high-tech or tech SME), so borrowers registered before
 *   records existed keep working; the breakdown says the flags decided.
 * Example: a high-tech certificate valid 2022-01-10 – 2025-01-09; registration 2025-03-10 → not
 * qualified; the same as a renewal → qualified on 2024's qualification.
 */
export function judgeQualification(f: QualificationFacts): QualificationJudgement {
  if (f.records.length === 0) {
    const qualified = f.highTech || f.techSme;
    const what = [f.highTech ? 'a high-tech enterprise' : '', f.techSme ? 'a registered tech SME' : ''].filter(Boolean).join(' and ');
    const text = qualified
      ? `No dated qualification recorded; the borrower's flags say it is ${what}: qualified`
      : 'No dated qualification recorded, and the borrower is flagged neither a high-tech enterprise nor a registered tech SME';
    return { qualified, basis: qualified ? 'flags' : 'none', breakdown: [{ rule: RULE, text }] };
  }
  const onDate = f.records.find((r) => r.validFrom <= f.registeredOn && f.registeredOn <= r.validTo);
  if (onDate) return { qualified: true, basis: 'valid_on_date', breakdown: [{ rule: RULE, text: `${describe(onDate)}: valid on ${f.registeredOn}` }] };
  const lastYear = yearOf(f.registeredOn) - 1;
  const prior = f.renewal ? f.records.find((r) => r.validFrom <= `${lastYear}-12-31` && r.validTo >= `${lastYear}-01-01`) : undefined;
  if (prior) {
    return {
      qualified: true,
      basis: 'previous_year',
      breakdown: [{ rule: 'RULES §2; S 三(一) (按上年度资质)', text: `Renewal: no qualification valid on ${f.registeredOn}, but ${describe(prior)} held in ${lastYear}: qualified on last year's qualification` }],
    };
  }
  const list = f.records.map(describe).join('; ');
  const text = f.renewal
    ? `No qualification valid on ${f.registeredOn} or on any day of ${lastYear} (${list})`
    : `No qualification valid on ${f.registeredOn} (${list})`;
  return { qualified: false, basis: 'none', breakdown: [{ rule: RULE, text }] };
}
