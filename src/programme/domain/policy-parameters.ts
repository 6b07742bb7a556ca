import type { PolicyParameterName } from './policy-version';
import { AGENCY_FEE_BASES, PLACEMENT_CYCLES, RATE_CAP_BASES } from './policy-version';

/**
 * The catalogue of policy parameters (RULES §11a: "policy versions are data"): for each one its
 * kind and range, which a loaded version is checked against, and where it comes from (shown by
 * `GET /v1/policies` and in docs/policy.md).
 *
 * Kinds: `fraction` a decimal string in [0, 1]; `positive` a decimal string > 0 (≤ max);
 * `money` an amount string ≥ 0 with at most 2 decimals; `int` a whole number in [min, max];
 * `boolean`; `monthDay` "MM-DD"; `enum` one of `values`; the structured tables `brackets`,
 * `bands` and `weights`. A `nullable` parameter may be null (the rule does not exist in that
 * version).
 */
export type ParameterKind = 'fraction' | 'positive' | 'money' | 'int' | 'boolean' | 'monthDay' | 'enum' | 'brackets' | 'bands' | 'weights';

export interface ParameterSpec {
  kind: ParameterKind;
  nullable?: boolean;
  min?: number;
  max?: number;
  values?: readonly string[];
  /** RULES.md section and source article (or "RULES Decision" for the rule book's own choices). */
  source: string;
}

// size: one row per parameter of RULES.md, a table that reads best whole
export const POLICY_PARAMETERS: Readonly<Record<PolicyParameterName, ParameterSpec>> = {
  collateralRatioMax: { kind: 'fraction', source: 'RULES §2; S 二(一)' },
  rateCapBasis: { kind: 'enum', values: RATE_CAP_BASES, source: 'RULES §2 Decision (2026-12); S 二(一)' },
  rateCapMultiplier: { kind: 'positive', max: 10, source: 'RULES §2; S 二(一) (上浮30%)' },
  lprOneYearTermMonthsMax: { kind: 'int', min: 1, max: 600, source: 'RULES §2 Decision (lpr basis)' },
  termMonthsMin: { kind: 'int', min: 1, max: 600, source: 'RULES §2; B 第七条' },
  disbursementReportWorkingDays: { kind: 'int', min: 0, max: 60, source: 'RULES §2; B 第十条' },
  revenueBrackets: { kind: 'brackets', source: 'RULES §3; S 二(一)3(1)a–d' },
  creditLoanRatio: { kind: 'fraction', source: 'RULES §3; S 二(一)3(1)e; henan-2025 reports' },
  termBonusPerYear: { kind: 'fraction', source: 'RULES §3; S 二(一)3(1)f' },
  ratioCap: { kind: 'fraction', source: 'RULES §3; S 二(一)3(1)f (最高不超过60%)' },
  revenueYearCutoffMonthDay: { kind: 'monthDay', source: 'RULES §3 Decision; B 第九条' },
  compensationCapPerLoan: { kind: 'money', source: 'RULES §3; S 二(一)3(1) (单笔补偿不超过500万元)' },
  researchCooperationRatio: { kind: 'fraction', nullable: true, source: 'RULES §11a (henan-2025 reports: 最高80%)' },
  researchCooperationRevenueBelow: { kind: 'money', nullable: true, source: 'RULES §11a (henan-2025 reports: 上年度营业收入1000万元以下)' },
  bankAnnualCapBalanceShare: { kind: 'fraction', nullable: true, source: 'RULES §11a (henan-2025 reports: 上年末科技贷余额的2%)' },
  bankAnnualCapAmount: { kind: 'money', nullable: true, source: 'RULES §11a (henan-2025 reports: 1000万元)' },
  claimOverdueMonths: { kind: 'int', min: 0, max: 24, source: 'RULES §4 Decision; R 第十二条' },
  dayCountBasis: { kind: 'int', min: 360, max: 366, source: 'RULES §4; B 第十二条 (/360)' },
  reviewWorkingDays: { kind: 'int', min: 1, max: 120, source: 'RULES §4; R 第十三条' },
  refundWorkingDays: { kind: 'int', min: 1, max: 120, source: 'RULES §5; R 第十七条' },
  lossRateWarning: { kind: 'fraction', source: 'RULES §6; B 第十七条, A 第十八条' },
  lossRateSevere: { kind: 'fraction', source: 'RULES §6; B 第十七条, A 第十八条' },
  zeroBalanceIsSevere: { kind: 'boolean', source: 'RULES §6 Decision' },
  lossRateDueDay: { kind: 'int', min: 1, max: 28, source: 'RULES §6; R 第二十条' },
  bankDormantYears: { kind: 'int', min: 1, max: 20, source: 'RULES §6; B 第十八条' },
  agencyDormantMonths: { kind: 'int', min: 1, max: 120, source: 'RULES §6 Decision (2026-12); S 二(三)2' },
  agencyFeeCapAnnual: { kind: 'fraction', source: 'RULES §7; A 第六条' },
  agencyFeeBase: { kind: 'enum', values: AGENCY_FEE_BASES, source: 'RULES §7 Decision (2026-12)' },
  marginRequirementStandard: { kind: 'fraction', source: 'RULES §7; A 第十八条' },
  marginRequirementReduced: { kind: 'fraction', source: 'RULES §7; A 第十八条' },
  marginReducedMinYears: { kind: 'int', min: 0, max: 50, source: 'RULES §7; A 第十八条' },
  marginReducedLossRateBelow: { kind: 'fraction', source: 'RULES §7; A 第十八条' },
  marginDueDay: { kind: 'int', min: 1, max: 28, source: 'RULES §7; A 第十八条' },
  marginDeductionBands: { kind: 'bands', source: 'RULES §7 (marginal reading, Decision); A 第十八条' },
  marginDeductionWorkingDays: { kind: 'int', min: 0, max: 60, source: 'RULES §7; A 第十八条' },
  marginTopUpWorkingDays: { kind: 'int', min: 0, max: 60, source: 'RULES §7; A 第十九条(三)' },
  nonCompliancePenaltyMultiple: { kind: 'positive', max: 100, source: 'RULES §7; A 第十三条' },
  reserveBandMin: { kind: 'fraction', source: 'RULES §8; S 二(一)1' },
  reserveBandMax: { kind: 'fraction', source: 'RULES §8; S 二(一)1' },
  custodyFeeRate: { kind: 'fraction', source: 'RULES §8; R 第二十二条' },
  placementWeights: { kind: 'weights', source: 'RULES §8 Decision' },
  placementCycle: { kind: 'enum', values: PLACEMENT_CYCLES, source: 'RULES §8; §11a (henan-2025: 每年动态调整)' },
  smallBorrowerRevenueMax: { kind: 'money', source: 'RULES §8 Decision' },
  placementMinimumTransfer: { kind: 'money', source: 'RULES §8 (placement cycle, 2026-12); issue 13 (default 10,000.00); R 第八、十条' },
  bankReportDueDay: { kind: 'int', min: 1, max: 28, source: 'RULES §9; B 第十条' },
  reconciliationWindowWorkingDays: { kind: 'int', min: 0, max: 30, source: 'RULES §8 (reconciliation: "by amount and a date window"); issue 14 (default ±3 working days); R 第二十一条' },
};

export const POLICY_PARAMETER_NAMES = Object.keys(POLICY_PARAMETERS) as PolicyParameterName[];
