import { D } from '../../common/money/decimal';

/**
 * Every threshold, ratio, cap, weight and table of the programme is policy data with an effective
 * date, never a literal in rule code (issue #3 "Policy versions"). A loan keeps the version in force
 * on its registration date. Each field cites the RULES.md section it comes from; docs/policy.md
 * lists them with their defaults.
 *
 * Amounts are decimal strings (CNY, 2 decimals) and ratios/rates decimal fraction strings so a
 * version can be stored as JSON and compared byte for byte.
 */
export interface LprRow {
  /** First day this row is in force (YYYY-MM-DD); in force until the next row. */
  effectiveFrom: string;
  /** 1-year LPR, decimal fraction ("0.0345"). */
  oneYear: string;
  /** 5-year LPR, decimal fraction. */
  fiveYear: string;
}

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

export interface PolicyVersion {
  id: string;
  name: string;
  /** First registration date this version applies to (YYYY-MM-DD). */
  effectiveFrom: string;

  // §2 eligibility
  /** Collateral value / loan amount must not exceed this (30%). */
  collateralRatioMax: string;
  /** Rate cap multiplier over the LPR benchmark (1.3). */
  rateCapMultiplier: string;
  /** Terms up to this many months use the 1-year LPR, longer terms the 5-year LPR (60). */
  lprOneYearTermMonthsMax: number;
  /** Benchmark lending rates before the first LPR row (PBoC, in force since 2015-10-24). */
  preLprBenchmark: { upToOneYear: string; oneToFiveYears: string; overFiveYears: string };
  lpr: LprRow[];
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
  /** Never above this ratio (60%). */
  ratioCap: string;
  /** Revenue cut-off: registrations before this month-day may use the year before last ("06-01"). */
  revenueYearCutoffMonthDay: string;
  /** Compensation cap per loan (5,000,000.00). */
  compensationCapPerLoan: string;

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
  /** Fee cap: fee per year / loan amount (1%). */
  agencyFeeCapAnnual: string;
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
  /** Revenue at or below which a borrower counts as small for placement scoring (20,000,000). */
  smallBorrowerRevenueMax: string;
  /** Day of the quarter's first month by which banks report (10). */
  bankReportDueDay: number;
}

/** The 2021 Henan 科技贷 scheme: the default policy version. LPR rows are filled from data/lpr-history.csv. */
export const HENAN_2021_BASE: Omit<PolicyVersion, 'lpr'> = {
  id: 'henan-2021',
  name: 'Henan 科技贷 implementation scheme (2021)',
  effectiveFrom: '2021-01-01',
  collateralRatioMax: '0.30',
  rateCapMultiplier: '1.3',
  lprOneYearTermMonthsMax: 60,
  preLprBenchmark: { upToOneYear: '0.0435', oneToFiveYears: '0.0475', overFiveYears: '0.049' },
  termMonthsMin: 12,
  disbursementReportWorkingDays: 5,
  revenueBrackets: [
    { revenueMax: '20000000.00', ratio: '0.60' },
    { revenueMax: '50000000.00', ratio: '0.50' },
    { revenueMax: '100000000.00', ratio: '0.40' },
    { revenueMax: null, ratio: '0.30' },
  ],
  creditLoanRatio: '0.60',
  termBonusPerYear: '0.05',
  ratioCap: '0.60',
  revenueYearCutoffMonthDay: '06-01',
  compensationCapPerLoan: '5000000.00',
  claimOverdueMonths: 2,
  dayCountBasis: 360,
  reviewWorkingDays: 10,
  refundWorkingDays: 15,
  lossRateWarning: '0.04',
  lossRateSevere: '0.06',
  zeroBalanceIsSevere: true,
  lossRateDueDay: 25,
  bankDormantYears: 3,
  agencyDormantMonths: 6,
  agencyFeeCapAnnual: '0.01',
  marginRequirementStandard: '0.30',
  marginRequirementReduced: '0.20',
  marginReducedMinYears: 3,
  marginReducedLossRateBelow: '0.02',
  marginDueDay: 10,
  marginDeductionBands: [
    { from: '0', to: '0.02', share: '0' },
    { from: '0.02', to: '0.04', share: '0.20' },
    { from: '0.04', to: '0.06', share: '0.40' },
    { from: '0.06', to: null, share: '0.50' },
  ],
  marginDeductionWorkingDays: 5,
  marginTopUpWorkingDays: 5,
  nonCompliancePenaltyMultiple: '5',
  reserveBandMin: '0.10',
  reserveBandMax: '0.15',
  custodyFeeRate: '0.001',
  placementWeights: {
    balanceShare: '0.60',
    longerAverageTerm: '0.10',
    lowerAverageRate: '0.10',
    lowerCollateralRatio: '0.05',
    smallBorrowerShare: '0.10',
    lowerLossRate: '0.05',
  },
  smallBorrowerRevenueMax: '20000000.00',
  bankReportDueDay: 10,
};

/**
 * Parses the LPR CSV (data/lpr-history.csv: `effective_from,lpr_1y,lpr_5y` in percent, '#'
 * comments). Pure: the caller reads the file. Percent → fraction is exact (division by 100).
 */
export function parseLprCsv(text: string): LprRow[] {
  const rows: LprRow[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('effective_from')) continue;
    const [effectiveFrom, oneYear, fiveYear] = line.split(',');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(effectiveFrom) || !oneYear || !fiveYear) {
      throw new Error(`LPR table: malformed row "${line}"`);
    }
    rows.push({
      effectiveFrom,
      oneYear: new D(oneYear).dividedBy(100).toFixed(),
      fiveYear: new D(fiveYear).dividedBy(100).toFixed(),
    });
  }
  rows.sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  return rows;
}

/** The version in force on `date` (registration date): the latest whose effectiveFrom ≤ date. */
export function policyInForce(versions: readonly PolicyVersion[], date: string): PolicyVersion | undefined {
  let best: PolicyVersion | undefined;
  for (const v of versions) {
    if (v.effectiveFrom <= date && (!best || v.effectiveFrom > best.effectiveFrom)) best = v;
  }
  return best;
}
