import { MigrationInterface, QueryRunner } from 'typeorm';

const PARTY_STATUSES = `('active','suspended_new','suspended_focus','disqualified')`;

/**
 * Programme parties (banks, agencies, tri-party agreements, borrowers, agency changes), policy
 * versions, and the loans they cover: registration, disbursement, quarterly bank reports (every
 * version kept), agency fees (issue #5; RULES.md §1, §2, §3, §7).
 */
export class ProgrammeLoans1732500000000 implements MigrationInterface {
  name = 'ProgrammeLoans1732500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE policy_versions (
        id text PRIMARY KEY,
        name text NOT NULL,
        effective_from date NOT NULL,
        body jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE banks (
        code text PRIMARY KEY,
        name text NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ${PARTY_STATUSES}),
        status_reason text,
        status_since date,
        loss_rate numeric(12,8),
        loss_rate_quarter text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE agencies (
        code text PRIMARY KEY,
        name text NOT NULL,
        fee_rate numeric(12,8) NOT NULL CHECK (fee_rate >= 0),
        joined_on date NOT NULL,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ${PARTY_STATUSES}),
        status_reason text,
        status_since date,
        loss_rate numeric(12,8),
        loss_rate_quarter text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Every status a bank or an agency has had, so the status in force on a date can be found.
    await q.query(`
      CREATE TABLE party_status_changes (
        id bigserial PRIMARY KEY,
        party_type text NOT NULL CHECK (party_type IN ('bank','agency')),
        party_code text NOT NULL,
        status text NOT NULL CHECK (status IN ${PARTY_STATUSES}),
        reason text NOT NULL,
        since date NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX party_status_changes_party ON party_status_changes (party_type, party_code, since)`);

    await q.query(`
      CREATE TABLE agreements (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        bank_code text NOT NULL REFERENCES banks(code),
        agency_code text NOT NULL REFERENCES agencies(code),
        signed_on date NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT agreements_bank_agency UNIQUE (bank_code, agency_code)
      )`);

    await q.query(`
      CREATE TABLE borrowers (
        code text PRIMARY KEY,
        name text NOT NULL,
        high_tech boolean NOT NULL,
        tech_sme boolean NOT NULL,
        group_code text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX borrowers_group ON borrowers (group_code) WHERE group_code IS NOT NULL`);
    await q.query(`
      CREATE TABLE borrower_revenues (
        borrower_code text NOT NULL REFERENCES borrowers(code),
        year integer NOT NULL CHECK (year BETWEEN 1900 AND 2999),
        amount numeric(20,2) NOT NULL CHECK (amount >= 0),
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (borrower_code, year)
      )`);
    // An approved change of agency for an enterprise group (A 第七条). group_key is
    // 'group:<code>', or 'borrower:<code>' for a borrower in no group.
    await q.query(`
      CREATE TABLE agency_changes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        group_key text NOT NULL,
        borrower_code text NOT NULL REFERENCES borrowers(code),
        from_agency_code text NOT NULL REFERENCES agencies(code),
        to_agency_code text NOT NULL REFERENCES agencies(code),
        approved_on date NOT NULL,
        previous_credit_line numeric(20,2) NOT NULL CHECK (previous_credit_line >= 0),
        reason text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX agency_changes_group ON agency_changes (group_key, approved_on)`);

    await q.query(`
      CREATE TABLE loans (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reference text NOT NULL,
        bank_code text NOT NULL REFERENCES banks(code),
        agency_code text NOT NULL REFERENCES agencies(code),
        borrower_code text NOT NULL REFERENCES borrowers(code),
        group_key text NOT NULL,
        amount numeric(20,2) NOT NULL CHECK (amount > 0),
        annual_rate numeric(12,8) NOT NULL CHECK (annual_rate >= 0),
        term_months integer NOT NULL CHECK (term_months >= 1),
        contract_date date NOT NULL,
        registered_on date NOT NULL,
        security text NOT NULL CHECK (security IN ('collateral','guarantee','shareholder_guarantee_only','credit')),
        collateral_value numeric(20,2) NOT NULL CHECK (collateral_value >= 0),
        single_asset_exception boolean NOT NULL DEFAULT false,
        is_renewal boolean NOT NULL DEFAULT false,
        renewal_of uuid REFERENCES loans(id),
        policy_version_id text NOT NULL REFERENCES policy_versions(id),
        compensation_ratio numeric(12,8) NOT NULL,
        revenue_year_used integer NOT NULL,
        revenue_used numeric(20,2) NOT NULL,
        registration_breakdown jsonb NOT NULL,
        disbursed_on date,
        disbursed_amount numeric(20,2) CHECK (disbursed_amount > 0 AND disbursed_amount <= amount),
        disbursement_reported_on date,
        disbursement_report_due_on date,
        disbursement_report_late boolean,
        confirmation_letter_on date,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT loans_bank_reference UNIQUE (bank_code, reference)
      )`);
    await q.query(`CREATE INDEX loans_agency ON loans (agency_code, id)`);
    await q.query(`CREATE INDEX loans_group ON loans (group_key, registered_on)`);
    await q.query(`CREATE INDEX loans_borrower ON loans (borrower_code)`);

    // A bank's quarterly report. Re-sending a quarter adds a new version and marks the previous one
    // superseded; its rows stay (history).
    await q.query(`
      CREATE TABLE bank_reports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        bank_code text NOT NULL REFERENCES banks(code),
        quarter text NOT NULL CHECK (quarter ~ '^[0-9]{4}Q[1-4]$'),
        quarter_end date NOT NULL,
        version integer NOT NULL CHECK (version >= 1),
        source text NOT NULL CHECK (source IN ('json','csv')),
        received_on date NOT NULL,
        due_on date NOT NULL,
        late boolean NOT NULL,
        row_count integer NOT NULL,
        outstanding_total numeric(20,2) NOT NULL,
        repaid_total numeric(20,2) NOT NULL,
        superseded_by uuid REFERENCES bank_reports(id),
        superseded_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT bank_reports_version UNIQUE (bank_code, quarter, version)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX bank_reports_current ON bank_reports (bank_code, quarter) WHERE superseded_at IS NULL`,
    );
    await q.query(`CREATE INDEX bank_reports_current_end ON bank_reports (quarter_end) WHERE superseded_at IS NULL`);
    await q.query(`
      CREATE TABLE bank_report_rows (
        report_id uuid NOT NULL REFERENCES bank_reports(id),
        loan_id uuid NOT NULL REFERENCES loans(id),
        line integer NOT NULL,
        outstanding_principal numeric(20,2) NOT NULL CHECK (outstanding_principal >= 0),
        repaid numeric(20,2) NOT NULL CHECK (repaid >= 0),
        asset_quality text NOT NULL CHECK (asset_quality IN ('normal','special_mention','substandard','doubtful','loss')),
        PRIMARY KEY (report_id, loan_id)
      )`);
    await q.query(`CREATE INDEX bank_report_rows_loan ON bank_report_rows (loan_id)`);

    await q.query(`
      CREATE TABLE agency_fees (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        loan_id uuid NOT NULL REFERENCES loans(id),
        agency_code text NOT NULL REFERENCES agencies(code),
        amount numeric(20,2) NOT NULL CHECK (amount > 0),
        charged_on date NOT NULL,
        period_months integer NOT NULL CHECK (period_months >= 1),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX agency_fees_loan ON agency_fees (loan_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'agency_fees',
      'bank_report_rows',
      'bank_reports',
      'loans',
      'agency_changes',
      'borrower_revenues',
      'borrowers',
      'agreements',
      'party_status_changes',
      'agencies',
      'banks',
      'policy_versions',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
