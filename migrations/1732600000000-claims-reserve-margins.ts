import { MigrationInterface, QueryRunner } from 'typeorm';

/** Claims and their legs, recoveries and approval batches; reserve fundings; agency margin events. */
export class ClaimsReserveMargins1732600000000 implements MigrationInterface {
  name = 'ClaimsReserveMargins1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reserve_fundings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reference text NOT NULL UNIQUE,
        bank_code text NOT NULL,
        amount numeric(20,2) NOT NULL CHECK (amount > 0),
        funded_on date NOT NULL,
        entry_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE approval_batches (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        approved_on date NOT NULL,
        claim_count integer NOT NULL,
        total_compensation numeric(20,2) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE claims (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        loan_id uuid NOT NULL REFERENCES loans(id),
        bank_code text NOT NULL,
        agency_code text NOT NULL,
        status text NOT NULL CHECK (status IN ('filed','under_review','recommended','rejected','approved','paid','receipted','written_off')),
        claim_date date NOT NULL,
        outstanding_principal numeric(20,2) NOT NULL,
        interest_unpaid_since date NOT NULL,
        principal_overdue_since date,
        lawsuit_accepted_on date,
        eligible_from date NOT NULL,
        policy_version_id text NOT NULL,
        ratio numeric(12,8) NOT NULL,
        days integer NOT NULL,
        interest numeric(20,2) NOT NULL,
        loss_amount numeric(20,2) NOT NULL,
        compensation numeric(20,2) NOT NULL,
        capped boolean NOT NULL,
        breakdown jsonb NOT NULL,
        review_due_on date NOT NULL,
        reviewed_on date,
        review_decision text,
        review_reason text,
        approval_batch_id uuid REFERENCES approval_batches(id),
        approved_on date,
        approval_entry_id uuid,
        margin_deduction numeric(20,2),
        paid_on date,
        payout_entry_id uuid,
        receipted_on date,
        refunded_total numeric(20,2) NOT NULL DEFAULT 0,
        written_off_on date,
        written_off_amount numeric(20,2),
        write_off_entry_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One claim per loan that is not rejected: one open claim, and never paid twice (RULES §4).
    await q.query(`CREATE UNIQUE INDEX claims_one_live_per_loan ON claims (loan_id) WHERE status <> 'rejected'`);
    await q.query(`CREATE INDEX claims_bank_status ON claims (bank_code, status, created_at, id)`);
    await q.query(`CREATE INDEX claims_status ON claims (status, created_at, id)`);
    await q.query(`CREATE INDEX claims_agency ON claims (agency_code)`);
    await q.query(`
      CREATE TABLE claim_payout_legs (
        claim_id uuid NOT NULL REFERENCES claims(id),
        position integer NOT NULL,
        bank_code text NOT NULL,
        amount numeric(20,2) NOT NULL CHECK (amount > 0),
        PRIMARY KEY (claim_id, position)
      )`);
    await q.query(`
      CREATE TABLE claim_recoveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        claim_id uuid NOT NULL REFERENCES claims(id),
        recovered_on date NOT NULL,
        recovered numeric(20,2) NOT NULL,
        agreed_costs numeric(20,2) NOT NULL,
        refund numeric(20,2) NOT NULL CHECK (refund >= 0),
        refund_due_on date NOT NULL,
        breakdown jsonb NOT NULL,
        refunded_on date,
        refund_entry_id uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX claim_recoveries_claim ON claim_recoveries (claim_id, created_at)`);
    await q.query(`
      CREATE TABLE agency_margin_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        agency_code text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('deposit','withdrawal','deduction','shortfall_settlement')),
        amount numeric(20,2) NOT NULL CHECK (amount >= 0),
        on_date date NOT NULL,
        claim_id uuid REFERENCES claims(id),
        deduction_due numeric(20,2),
        shortfall numeric(20,2),
        top_up_due_on date,
        breakdown jsonb,
        entry_id uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX agency_margin_events_agency ON agency_margin_events (agency_code, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['agency_margin_events', 'claim_recoveries', 'claim_payout_legs', 'claims', 'approval_batches', 'reserve_fundings']) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
