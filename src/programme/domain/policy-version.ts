/**
 * Every threshold, ratio, cap, weight and table of the programme is policy data with an effective
 * date, never a literal in rule code (RULES §11a). A version belongs to one programme
 * (`henan-tech-loan`); a loan keeps the version of its programme in force on its registration
 * date. Each field cites the RULES.md section it comes from; docs/policy.md lists them with their
 * values in every built-in version and where each comes from (policy-parameters.ts has the same
 * catalogue in code).
 *
 * Amounts are decimal strings (CNY, 2 decimals) and ratios/rates decimal-fraction strings, so a
 * version is stored as JSON and compared value for value. Reference rates (the PBoC benchmark and
 * the LPR) are not part of a version: they are dated reference data (reference-rates.ts).
 */
export interface RevenueBracket {
  /** Inclusive upper bound of revenue in CNY; null = no upper bound. */
  revenueMax: string | null;
  ratio: string;
}

export interface PlacementWeights {
  balanceShare: string;
  longerAverageTerm: string;
  lowerAverageRate: string;
  lowerCollateralRatio: string;
  smallBorrowerShare: string;
  lowerLossRate: string;
}

export interface MarginDeductionBand {
  /** Lower edge of the band as a loss rate (inclusive of the band's part). */
  from: string;
  /** Upper edge; null = no upper edge. */
  to: string | null;
  /** Share of that part's compensation taken from the margin. */
  share: string;
}

/** Which benchmark the rate cap multiplies (RULES §2, revised 2026-12). */
export const RATE_CAP_BASES = ['pboc_benchmark', 'lpr'] as const;
export type RateCapBasis = (typeof RATE_CAP_BASES)[number];

/** What the agency fee cap is a share of (RULES §7, revised 2026-12). */
export const AGENCY_FEE_BASES = ['disbursed_amount', 'registered_amount'] as const;
export type AgencyFeeBase = (typeof AGENCY_FEE_BASES)[number];

/** How often the reserve placement is adjusted (RULES §8; henan-2025: yearly). */
export const PLACEMENT_CYCLES = ['quarterly', 'yearly'] as const;
export type PlacementCycle = (typeof PLACEMENT_CYCLES)[number];

/** The parameters of a version (everything but its identity). */
export interface PolicyParameters {
  // §2 eligibility
  /** Collateral value / loan amount must not exceed this (30%). */
  collateralRatioMax: string;
  /** The benchmark the rate cap multiplies: PBoC benchmark by term (default) or the LPR. */
  rateCapBasis: RateCapBasis;
  /** Rate cap multiplier over the benchmark (1.3). */
  rateCapMultiplier: string;
  /** With the LPR basis: terms up to this many months use the 1-year LPR, longer the 5-year (60). */
  lprOneYearTermMonthsMax: number;
  /** Minimum term in months unless the loan is a renewal (12). */
  termMonthsMin: number;
  /** Working days allowed between disbursement and its report (5). */
  disbursementReportWorkingDays: number;

  // §3 ratio
  revenueBrackets: RevenueBracket[];
  /** Ratio for pure credit and shareholder-guarantee-only loans (60%). */
  creditLoanRatio: string;
  /** Points added per whole additional year of term (5%). */
  termBonusPerYear: string;
  /** Base ratio plus term bonus never above this (60%). */
  ratioCap: string;
  /** Revenue cut-off: registrations before this month-day may use the year before last ("06-01"). */
  revenueYearCutoffMonthDay: string;
  /** Compensation cap per loan (5,000,000.00). */
  compensationCapPerLoan: string;
  /** §11a (henan-2025): ratio for a borrower with research cooperation and low revenue (80%); null = no such category. */
  researchCooperationRatio: string | null;
  /** §11a: prior-year revenue strictly below this for the research-cooperation ratio (10,000,000.00). */
  researchCooperationRevenueBelow: string | null;
  /** §11a: a bank's approved compensation per calendar year ≤ this share of its balance at the previous year end (2%); null = no cap. */
  bankAnnualCapBalanceShare: string | null;
  /** §11a: … and ≤ this amount (10,000,000.00); null = no absolute cap. */
  bankAnnualCapAmount: string | null;

  // §4 claims
  /** Calendar months of principal overdue before a claim (2). */
  claimOverdueMonths: number;
  /** Day-count basis (360, ACT/360). */
  dayCountBasis: number;
  /** Working days for the expert review (10). */
  reviewWorkingDays: number;

  // §5 recoveries
  /** Working days to refund after the disposal closes (15). */
  refundWorkingDays: number;

  // §6 loss rates
  lossRateWarning: string;
  lossRateSevere: string;
  /** Whether a zero balance with a positive numerator counts as above the severe threshold (true). */
  zeroBalanceIsSevere: boolean;
  /** Day of the quarter's first month by which loss rates are computed (25). */
  lossRateDueDay: number;
  bankDormantYears: number;
  agencyDormantMonths: number;

  // §7 agencies
  /** Fee cap: fee per year / fee base (1%). */
  agencyFeeCapAnnual: string;
  /** The fee base: the amount disbursed (default, RULES §7 2026-12) or the registered amount. */
  agencyFeeBase: AgencyFeeBase;
  marginRequirementStandard: string;
  marginRequirementReduced: string;
  /** Years in the programme, strictly more than this, for the reduced requirement (3). */
  marginReducedMinYears: number;
  /** Loss rate, strictly below this, for the reduced requirement (2%). */
  marginReducedLossRateBelow: string;
  /** Day of the quarter's first month by which the margin must be topped up (10). */
  marginDueDay: number;
  marginDeductionBands: MarginDeductionBand[];
  /** Working days to deduct after approval and to top up a shortfall (5). */
  marginDeductionWorkingDays: number;
  marginTopUpWorkingDays: number;
  /** Penalty multiple of the fee for non-compliance (5). */
  nonCompliancePenaltyMultiple: string;

  // §8 reserve
  reserveBandMin: string;
  reserveBandMax: string;
  /** Custody fee per quarter as a share of the reserve's total (0.1%). */
  custodyFeeRate: string;
  placementWeights: PlacementWeights;
  /** How often the placement is adjusted: quarterly (henan-2021) or yearly (henan-2025). */
  placementCycle: PlacementCycle;
  /** Revenue at or below which a borrower counts as small for placement scoring (20,000,000). */
  smallBorrowerRevenueMax: string;
  /** A placement moves no less than this between two banks; a smaller difference stays where it is (10,000.00). */
  placementMinimumTransfer: string;
  /** Day of the quarter's first month by which banks report (10). */
  bankReportDueDay: number;
  /** Reconciliation: a statement line and a ledger line of the same amount match within ± this many PRC working days (3). */
  reconciliationWindowWorkingDays: number;
}

export type PolicyParameterName = keyof PolicyParameters;

export interface PolicyVersion extends PolicyParameters {
  id: string;
  /** The programme this version governs, e.g. 'henan-tech-loan'; never another programme's loans. */
  programme: string;
  name: string;
  /** First registration date this version applies to (YYYY-MM-DD). */
  effectiveFrom: string;
  /** Parameters carried over without a source for this version, for the trustee to confirm. */
  provisional: PolicyParameterName[];
}
