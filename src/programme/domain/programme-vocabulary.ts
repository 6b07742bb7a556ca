/**
 * The words a programme document may use (issue 18; docs/programmes.md "Rule format"): the facts
 * the engine knows about an application, the calculators that derive further facts, and the grant
 * calculators. A new programme that uses only these needs data only; a new word is new code.
 */

/** Facts of every application, read from the registration and the borrower (programme-facts.ts). */
export const BASE_FACTS = {
  amount: 'The loan amount (CNY).',
  annualRate: 'The contract rate (a decimal fraction).',
  termMonths: 'The term in months.',
  contractDate: 'The contract date.',
  registeredOn: 'The registration date.',
  preferentialMonths: 'The preferential-rate period in months, when the registration gives it.',
  borrowerType: 'enterprise or individual.',
  sizeClass: 'micro, small, medium or large.',
  region: 'The borrower’s division code (GB/T 2260).',
  monthsEstablished: 'Whole months from the establishment (or start of business) to the registration date.',
  headcount: 'The latest headcount on or before the registration date.',
  lprForTerm: 'The LPR for the term in force on the contract date (1-year up to 60 months, 5-year above).',
} as const;
export type BaseFact = keyof typeof BASE_FACTS;

/** Calculators that derive a fact for a registration (programme-calculators.ts). */
export const DERIVED_CALCULATORS = {
  'headcount-reduction': 'Reduction of the headcount over `months` before the registration, as a share of the earlier headcount (0 when it did not fall).',
  'table-by-year': 'The row of `table` for the registration year minus `yearsBefore`.',
  'outstanding-loans': 'The borrower’s loans of this programme (and product, with `sameProduct`) not yet matured on the registration date.',
  'count-hires': 'Persons hired on or before the registration date, filtered by origin (`originInTable`), groups (`groupsAny`), contract length (`contractMonthsMin`) and `sameYear`.',
  'threshold-by-class': 'A figure by class (`values` keyed by the fact `classFact`), times `factor` when `reduceWhen` holds, rounded `up` to a whole number or not (`none`).',
  ratio: '`numerator` / `denominator` (two facts), exact.',
  'step-by-fact': 'The `value` of the first step whose `upTo` is at or above the fact `fact` (null `upTo` = no bound).',
} as const;
export type DerivedCalculatorName = keyof typeof DERIVED_CALCULATORS;

/** Grant calculators (not tied to a loan): POST /v1/programmes/{code}/calculators/{id}. */
export const GRANT_CALCULATORS = {
  'share-by-class': 'An amount × the share of the borrower’s class (`shares` keyed by size class), rounded to the fen half-up.',
  'per-person': 'Persons × `amountPerPerson` (with `isMaximum`: the most that may be granted).',
  'share-of-amount': 'An amount × `share`, rounded to the fen half-up.',
} as const;
export type GrantCalculatorName = keyof typeof GRANT_CALCULATORS;

export function isBaseFact(name: string): name is BaseFact {
  return Object.prototype.hasOwnProperty.call(BASE_FACTS, name);
}

export function isDerivedCalculator(name: string): name is DerivedCalculatorName {
  return Object.prototype.hasOwnProperty.call(DERIVED_CALCULATORS, name);
}

export function isGrantCalculator(name: string): name is GrantCalculatorName {
  return Object.prototype.hasOwnProperty.call(GRANT_CALCULATORS, name);
}
