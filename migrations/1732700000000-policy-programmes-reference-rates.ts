import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The henan-2021 version as it is from this migration on (RULES §11a revised 2026-12): effective
 * from 2021-10-30 (the scheme's date, "自发布之日起施行", was stored as 2021-01-01), keyed by its
 * programme, the rate-cap basis and the other new parameters added, and without the LPR table,
 * which becomes dated reference data (lpr_rates). A copy of HENAN_2021 in
 * src/programme/domain/henan-versions.ts (a migration stands alone); the service compares the two
 * at start-up and warns if they ever differ.
 */
const HENAN_2021_BODY = '{"id":"henan-2021","programme":"henan-tech-loan","name":"Henan 科技贷 implementation scheme (豫科金〔2021〕11号)","effectiveFrom":"2021-10-30","provisional":[],"collateralRatioMax":"0.30","rateCapBasis":"pboc_benchmark","rateCapMultiplier":"1.3","lprOneYearTermMonthsMax":60,"termMonthsMin":12,"disbursementReportWorkingDays":5,"revenueBrackets":[{"revenueMax":"20000000.00","ratio":"0.60"},{"revenueMax":"50000000.00","ratio":"0.50"},{"revenueMax":"100000000.00","ratio":"0.40"},{"revenueMax":null,"ratio":"0.30"}],"creditLoanRatio":"0.60","termBonusPerYear":"0.05","ratioCap":"0.60","revenueYearCutoffMonthDay":"06-01","compensationCapPerLoan":"5000000.00","researchCooperationRatio":null,"researchCooperationRevenueBelow":null,"bankAnnualCapBalanceShare":null,"bankAnnualCapAmount":null,"claimOverdueMonths":2,"dayCountBasis":360,"reviewWorkingDays":10,"refundWorkingDays":15,"lossRateWarning":"0.04","lossRateSevere":"0.06","zeroBalanceIsSevere":true,"lossRateDueDay":25,"bankDormantYears":3,"agencyDormantMonths":6,"agencyFeeCapAnnual":"0.01","agencyFeeBase":"disbursed_amount","marginRequirementStandard":"0.30","marginRequirementReduced":"0.20","marginReducedMinYears":3,"marginReducedLossRateBelow":"0.02","marginDueDay":10,"marginDeductionBands":[{"from":"0","to":"0.02","share":"0"},{"from":"0.02","to":"0.04","share":"0.20"},{"from":"0.04","to":"0.06","share":"0.40"},{"from":"0.06","to":null,"share":"0.50"}],"marginDeductionWorkingDays":5,"marginTopUpWorkingDays":5,"nonCompliancePenaltyMultiple":"5","reserveBandMin":"0.10","reserveBandMax":"0.15","custodyFeeRate":"0.001","placementWeights":{"balanceShare":"0.60","longerAverageTerm":"0.10","lowerAverageRate":"0.10","lowerCollateralRatio":"0.05","smallBorrowerShare":"0.10","lowerLossRate":"0.05"},"placementCycle":"quarterly","smallBorrowerRevenueMax":"20000000.00","bankReportDueDay":10}';

/**
 * Policy versions keyed by programme, and the reference rates of the rate cap (RULES §2 and §11a,
 * revised 2026-12):
 * - programmes: the programmes policy versions belong to (henan-tech-loan to start with);
 * - policy_versions gains programme and provisional (parameter names carried over without a
 *   source); one version per programme and effective date;
 * - lpr_rates and pboc_benchmark_rates: the LPR and the PBoC benchmark lending rates by effective
 *   date, filled and extended at start-up from data/lpr-history.csv and
 *   data/pboc-benchmark-history.csv.
 * The one stored version written before this migration, henan-2021, is brought to its corrected
 * form here; no loan's figures change (ratios are fixed on the loan), and its registrations keep
 * the id.
 */
export class PolicyProgrammesReferenceRates1732700000000 implements MigrationInterface {
  name = 'PolicyProgrammesReferenceRates1732700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE programmes (
        code text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO programmes (code, name) VALUES ('henan-tech-loan', 'Henan 科技贷 (tech-loan risk compensation)')`);
    await q.query(`ALTER TABLE policy_versions ADD COLUMN programme text NOT NULL DEFAULT 'henan-tech-loan' REFERENCES programmes(code)`);
    await q.query(`ALTER TABLE policy_versions ALTER COLUMN programme DROP DEFAULT`);
    await q.query(`ALTER TABLE policy_versions ADD COLUMN provisional jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await q.query(
      `UPDATE policy_versions SET effective_from = '2021-10-30', name = $1::jsonb->>'name', body = $1::jsonb WHERE id = 'henan-2021'`,
      [HENAN_2021_BODY],
    );
    await q.query(`CREATE UNIQUE INDEX policy_versions_programme_date ON policy_versions (programme, effective_from)`);
    await q.query(`
      CREATE TABLE lpr_rates (
        effective_from date PRIMARY KEY,
        one_year numeric(12,8) NOT NULL CHECK (one_year >= 0),
        five_year numeric(12,8) NOT NULL CHECK (five_year >= 0),
        source text NOT NULL,
        added_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE pboc_benchmark_rates (
        effective_from date PRIMARY KEY,
        up_to_one_year numeric(12,8) NOT NULL CHECK (up_to_one_year >= 0),
        one_to_five_years numeric(12,8) NOT NULL CHECK (one_to_five_years >= 0),
        over_five_years numeric(12,8) NOT NULL CHECK (over_five_years >= 0),
        source text NOT NULL,
        added_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE pboc_benchmark_rates`);
    await q.query(`DROP TABLE lpr_rates`);
    await q.query(`DROP INDEX policy_versions_programme_date`);
    await q.query(`ALTER TABLE policy_versions DROP COLUMN provisional`);
    await q.query(`ALTER TABLE policy_versions DROP COLUMN programme`);
    await q.query(`DROP TABLE programmes`);
  }
}
