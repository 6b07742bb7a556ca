import type { PolicyParameterName, PolicyVersion } from './policy-version';

/** The programme the loans of this service belong to (RULES §11a: versions are keyed by it). */
export const HENAN_TECH_LOAN = 'henan-tech-loan';

/**
 * The 2021 Henan 科技贷 scheme (RULES §11a): dated 2021-10-30, "自发布之日起施行", so in force from
 * 2021-10-30. Every figure is the seed's or a RULES.md decision (docs/policy.md lists the source of
 * each). Nothing in it is provisional: it is the text the seed holds.
 */
export const HENAN_2021: PolicyVersion = {
  id: 'henan-2021',
  programme: HENAN_TECH_LOAN,
  name: 'Henan 科技贷 implementation scheme (豫科金〔2021〕11号)',
  effectiveFrom: '2021-10-30',
  provisional: [],
  collateralRatioMax: '0.30',
  rateCapBasis: 'pboc_benchmark',
  rateCapMultiplier: '1.3',
  lprOneYearTermMonthsMax: 60,
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
  researchCooperationRatio: null,
  researchCooperationRevenueBelow: null,
  bankAnnualCapBalanceShare: null,
  bankAnnualCapAmount: null,
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
  agencyFeeBase: 'disbursed_amount',
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
  placementCycle: 'quarterly',
  smallBorrowerRevenueMax: '20000000.00',
  placementMinimumTransfer: '10000.00',
  bankReportDueDay: 10,
  reconciliationWindowWorkingDays: 3,
};

/**
 * Parameters of henan-2025 that the public reports of the 2025 scheme do not give: carried over
 * from henan-2021 and marked provisional (RULES §11a), for the trustee to confirm or change when
 * loading the official text. These are the figures of the 2021 scheme text and of its three
 * detailed rules (reserve fund, banks, agencies), which 豫科〔2025〕45号 repealed with it. Not
 * provisional: what the reports give (80% category, credit loans 60%, revenue bands, the per-bank
 * annual cap, yearly placement), what they say is unchanged (the rate cap and the tech-loan
 * definition), and RULES.md's own decisions (docs/policy.md, "Where each parameter comes from").
 */
export const HENAN_2025_PROVISIONAL: PolicyParameterName[] = [
  'termBonusPerYear',
  'ratioCap',
  'compensationCapPerLoan',
  'revenueYearCutoffMonthDay',
  'disbursementReportWorkingDays',
  'claimOverdueMonths',
  'dayCountBasis',
  'reviewWorkingDays',
  'refundWorkingDays',
  'lossRateWarning',
  'lossRateSevere',
  'lossRateDueDay',
  'bankDormantYears',
  'agencyDormantMonths',
  'agencyFeeCapAnnual',
  'marginRequirementStandard',
  'marginRequirementReduced',
  'marginReducedMinYears',
  'marginReducedLossRateBelow',
  'marginDueDay',
  'marginDeductionBands',
  'marginDeductionWorkingDays',
  'marginTopUpWorkingDays',
  'nonCompliancePenaltyMultiple',
  'reserveBandMin',
  'reserveBandMax',
  'custodyFeeRate',
  'bankReportDueDay',
];

/**
 * The 2025 revision (豫科〔2025〕45号, RULES §11a), in force from 2025-06-01: compensation up to
 * 80% for a borrower with substantive industry–university–research cooperation and prior-year
 * revenue below 10,000,000.00; credit loans 60%; the revenue bands unchanged; a per-bank annual
 * cap of 2% of the bank's balance at the previous year end and 10,000,000.00; placement adjusted
 * yearly. The rest is carried over from henan-2021 (provisional where the reports are silent).
 */
export const HENAN_2025: PolicyVersion = {
  ...HENAN_2021,
  id: 'henan-2025',
  name: 'Henan 科技贷 revised scheme (豫科〔2025〕45号, from public reports)',
  effectiveFrom: '2025-06-01',
  provisional: HENAN_2025_PROVISIONAL,
  researchCooperationRatio: '0.80',
  researchCooperationRevenueBelow: '10000000.00',
  bankAnnualCapBalanceShare: '0.02',
  bankAnnualCapAmount: '10000000.00',
  placementCycle: 'yearly',
};

/** The versions the service loads at start-up when absent (never rewriting a stored one). */
export const BUILT_IN_VERSIONS: readonly PolicyVersion[] = [HENAN_2021, HENAN_2025];

/** The name earlier code and specs use for the 2021 version. */
export const HENAN_2021_BASE = HENAN_2021;
