import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 18 item 3, the programme flows (docs/programme-flows.md): the two-phase IP-pledge claim
 * and the start-up guarantee loan's interest subsidy, each on a book of its own.
 *
 * - ledger books `ippledge` (the IP-pledge risk compensation fund, xinxiang 七.3) and `subsidy`
 *   (the interest subsidy fund, xinxiang (四)); their accounts are opened by the service
 *   (src/programme-flows/domain/flow-books.ts);
 * - `flow_fundings`: appropriations into either fund, one reference once per book;
 * - `pledge_claims`: advance at default, settlement after the sale; one claim per loan that is not
 *   rejected (partial unique index), so two concurrent filings cannot both pass;
 * - `interest_subsidies`: one per loan, numbered per borrower (`ordinal`, unique per borrower and
 *   programme), so two concurrent grants cannot both take the last of the 3 times;
 * - `interest_subsidy_quarters`: the schedule, one row per quarter, claimed then paid.
 *
 * The flows run on programme loans (`programme_loans`, migration 1733850000000, owned by
 * src/programme), not on Henan's `loans`. The party wall (migration 1733820000000) covers the three
 * party-owned tables: a bank sees its own rows; programme loans have no agency, so an agency none. The application
 * role's privileges come from grant_application_role at every start (migration 1733110000000).
 */
const TYPE = `(SELECT current_setting('app.party_type', true))`;
const CODE = `(SELECT current_setting('app.party_code', true))`;
// Programme loans have a bank and no agency (docs/programmes.md): a bank sees its own rows, an
// agency none.
const PARTY = `${TYPE} = 'bank' AND bank_code = ${CODE}`;
const POLICIES: Record<string, string> = {
  pledge_claims: PARTY,
  interest_subsidies: PARTY,
  interest_subsidy_quarters: `${TYPE} = 'bank' AND EXISTS (SELECT 1 FROM interest_subsidies s WHERE s.id = subsidy_id AND s.bank_code = ${CODE})`,
};

export class ProgrammeFlows1733860000000 implements MigrationInterface {
  name = 'ProgrammeFlows1733860000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`INSERT INTO ledger_books (code, name) VALUES
      ('ippledge', 'IP-pledge risk compensation fund (Xinxiang)'), ('subsidy', 'Start-up guarantee loan interest subsidy fund (Xinxiang)')
      ON CONFLICT (code) DO NOTHING`);
    await q.query(`
      CREATE TABLE flow_fundings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        book text NOT NULL CHECK (book IN ('ippledge', 'subsidy')),
        reference text NOT NULL,
        amount numeric(20,2) NOT NULL CHECK (amount > 0),
        funded_on date NOT NULL,
        entry_id uuid NOT NULL,
        funded_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (book, reference)
      )`);
    await q.query(`
      CREATE TABLE pledge_claims (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        loan_id uuid NOT NULL REFERENCES programme_loans(id),
        bank_code text NOT NULL,
        programme text NOT NULL,
        programme_version_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('filed', 'recommended', 'rejected', 'approved', 'advance_paid', 'settled', 'closed')),
        claim_date date NOT NULL,
        outstanding_principal numeric(20,2) NOT NULL CHECK (outstanding_principal > 0),
        interest_unpaid_since date NOT NULL,
        annual_rate numeric(12,8) NOT NULL,
        days integer NOT NULL,
        interest numeric(20,2) NOT NULL,
        loss_amount numeric(20,2) NOT NULL,
        advance_ratio numeric(12,8) NOT NULL,
        settlement_ratio numeric(12,8) NOT NULL,
        advance numeric(20,2) NOT NULL CHECK (advance >= 0),
        breakdown jsonb NOT NULL,
        filed_by text,
        reviewed_on date,
        reviewed_by text,
        review_reason text,
        approved_on date,
        approved_by text,
        approval_entry_id uuid,
        advance_paid_on date,
        advance_paid_by text,
        advance_entry_id uuid,
        sold_on date,
        proceeds numeric(20,2),
        disposal_costs numeric(20,2),
        net_proceeds numeric(20,2),
        final_loss numeric(20,2),
        final_compensation numeric(20,2),
        direction text CHECK (direction IN ('refund', 'top_up', 'none')),
        difference numeric(20,2) CHECK (difference >= 0),
        settlement_breakdown jsonb,
        settled_on date,
        settlement_entry_id uuid,
        closed_on date,
        closing_entry_id uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX pledge_claims_one_open_per_loan ON pledge_claims (loan_id) WHERE status <> 'rejected'`);
    await q.query(`CREATE INDEX pledge_claims_bank ON pledge_claims (bank_code)`);
    await q.query(`
      CREATE TABLE interest_subsidies (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        loan_id uuid NOT NULL UNIQUE REFERENCES programme_loans(id),
        bank_code text NOT NULL,
        borrower_code text NOT NULL,
        programme text NOT NULL,
        programme_version_id text NOT NULL,
        ordinal integer NOT NULL CHECK (ordinal >= 1),
        times_max integer NOT NULL,
        principal numeric(20,2) NOT NULL CHECK (principal > 0),
        loan_rate numeric(12,8) NOT NULL,
        lpr numeric(12,8) NOT NULL,
        lpr_effective_from date NOT NULL,
        band_floor numeric(12,8) NOT NULL,
        band_ceiling numeric(12,8) NOT NULL,
        subsidised_rate numeric(12,8) NOT NULL,
        day_count_basis integer NOT NULL,
        starts_on date NOT NULL,
        ends_on date NOT NULL CHECK (ends_on > starts_on),
        granted_on date NOT NULL,
        granted_by text,
        scheduled_total numeric(20,2) NOT NULL,
        breakdown jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (programme, borrower_code, ordinal)
      )`);
    await q.query(`
      CREATE TABLE interest_subsidy_quarters (
        subsidy_id uuid NOT NULL REFERENCES interest_subsidies(id),
        quarter text NOT NULL,
        position integer NOT NULL,
        period_from date NOT NULL,
        period_to date NOT NULL,
        days integer NOT NULL,
        scheduled_amount numeric(20,2) NOT NULL,
        principal_outstanding numeric(20,2),
        amount numeric(20,2),
        breakdown jsonb,
        claimed_on date,
        claimed_by text,
        claim_entry_id uuid,
        paid_on date,
        paid_by text,
        payment_entry_id uuid,
        PRIMARY KEY (subsidy_id, quarter),
        UNIQUE (subsidy_id, position)
      )`);
    for (const [table, party] of Object.entries(POLICIES)) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY party_wall ON ${table} USING (${TYPE} = 'system' OR ${party})`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE interest_subsidy_quarters`);
    await q.query(`DROP TABLE interest_subsidies`);
    await q.query(`DROP TABLE pledge_claims`);
    await q.query(`DROP TABLE flow_fundings`);
    // The books stay: ledger books are append-only (a trigger refuses their deletion), and an
    // up after this down finds them (ON CONFLICT DO NOTHING).
  }
}
