import { MigrationInterface, QueryRunner } from 'typeorm';

const TYPE = `(SELECT current_setting('app.party_type', true))`;
const CODE = `(SELECT current_setting('app.party_code', true))`;

/**
 * The other programmes of the seeds carried as data (issue 18; docs/programmes.md):
 * - programmes gains its names in Chinese and English, the seed it comes from and the money flows
 *   it has (`reserve-compensation`, `advance-compensation-with-settlement`, `interest-subsidy`, or
 *   `none`);
 * - programme_versions: a programme's data document by effective date (products, caps,
 *   eligibility rules, calculators, flows with their parameters, and the figures the seed does
 *   not give). Henan's Henan-shaped parameters stay in policy_versions;
 * - borrowers gain the attributes the other programmes test (borrower type, size class,
 *   establishment date, region), with their headcount history (borrower_headcounts) and their
 *   hires by origin region and group (borrower_hires);
 * - programme_loans: loans registered against a programme other than Henan's, each with the
 *   version it was registered under, the facts its rules saw and the soft rules it failed. Henan's
 *   loans stay in loans, so no aggregate of Henan's (loss rates, reserve, quarter close, placement)
 *   can count them.
 */
export class ProgrammesAsData1733850000000 implements MigrationInterface {
  name = 'ProgrammesAsData1733850000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE programmes ADD COLUMN name_zh text`);
    await q.query(`ALTER TABLE programmes ADD COLUMN name_en text`);
    await q.query(`ALTER TABLE programmes ADD COLUMN source_seed text`);
    await q.query(`
      ALTER TABLE programmes ADD COLUMN money_flows text[] NOT NULL DEFAULT '{none}'
        CHECK (money_flows <@ ARRAY['reserve-compensation', 'advance-compensation-with-settlement', 'interest-subsidy', 'none']::text[]
               AND cardinality(money_flows) > 0)`);
    await q.query(
      `UPDATE programmes SET name_zh = '河南省科技贷', name_en = 'Henan tech loans (科技贷) risk compensation',
         source_seed = 'henan-tech-loan-scheme-2021.txt', money_flows = '{reserve-compensation}' WHERE code = 'henan-tech-loan'`,
    );
    await q.query(`
      CREATE TABLE programme_versions (
        id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
        programme_code text NOT NULL REFERENCES programmes(code),
        effective_from date NOT NULL,
        effective_to date CHECK (effective_to IS NULL OR effective_to >= effective_from),
        body jsonb NOT NULL,
        missing jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (programme_code, effective_from)
      )`);

    await q.query(`ALTER TABLE borrowers ADD COLUMN borrower_type text CHECK (borrower_type IN ('enterprise', 'individual'))`);
    await q.query(`ALTER TABLE borrowers ADD COLUMN size_class text CHECK (size_class IN ('micro', 'small', 'medium', 'large'))`);
    await q.query(`ALTER TABLE borrowers ADD COLUMN established_on date`);
    await q.query(`ALTER TABLE borrowers ADD COLUMN region text`);
    await q.query(`
      CREATE TABLE borrower_headcounts (
        borrower_code text NOT NULL REFERENCES borrowers(code),
        as_of date NOT NULL,
        headcount integer NOT NULL CHECK (headcount >= 0),
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (borrower_code, as_of)
      )`);
    await q.query(`
      CREATE TABLE borrower_hires (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        borrower_code text NOT NULL REFERENCES borrowers(code),
        hired_on date NOT NULL,
        persons integer NOT NULL CHECK (persons > 0),
        origin_region text,
        groups text[] NOT NULL DEFAULT '{}',
        contract_months integer CHECK (contract_months > 0),
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX borrower_hires_borrower ON borrower_hires (borrower_code, hired_on)`);

    await q.query(`
      CREATE TABLE programme_loans (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        programme_code text NOT NULL REFERENCES programmes(code),
        programme_version_id text NOT NULL REFERENCES programme_versions(id),
        product text NOT NULL,
        reference text NOT NULL,
        bank_code text NOT NULL REFERENCES banks(code),
        borrower_code text NOT NULL REFERENCES borrowers(code),
        borrower_type text NOT NULL CHECK (borrower_type IN ('enterprise', 'individual')),
        amount numeric(20,2) NOT NULL CHECK (amount > 0),
        annual_rate numeric(12,8) NOT NULL CHECK (annual_rate >= 0),
        term_months integer NOT NULL CHECK (term_months > 0),
        contract_date date NOT NULL,
        registered_on date NOT NULL,
        facts jsonb NOT NULL,
        warnings jsonb NOT NULL DEFAULT '[]'::jsonb,
        breakdown jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (programme_code, bank_code, reference)
      )`);
    await q.query(`CREATE INDEX programme_loans_borrower ON programme_loans (borrower_code, programme_code, product)`);
    // The party wall (migration 1733820000000): a bank sees its own programme loans only.
    await q.query(`ALTER TABLE programme_loans ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE programme_loans FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY party_wall ON programme_loans USING (${TYPE} = 'system' OR (${TYPE} = 'bank' AND bank_code = ${CODE}))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE programme_loans`);
    await q.query(`DROP TABLE borrower_hires`);
    await q.query(`DROP TABLE borrower_headcounts`);
    for (const c of ['region', 'established_on', 'size_class', 'borrower_type']) await q.query(`ALTER TABLE borrowers DROP COLUMN ${c}`);
    await q.query(`DROP TABLE programme_versions`);
    await q.query(`DELETE FROM programmes WHERE code <> 'henan-tech-loan' AND NOT EXISTS (SELECT 1 FROM policy_versions v WHERE v.programme = programmes.code)`);
    for (const c of ['money_flows', 'source_seed', 'name_en', 'name_zh']) await q.query(`ALTER TABLE programmes DROP COLUMN ${c}`);
  }
}
