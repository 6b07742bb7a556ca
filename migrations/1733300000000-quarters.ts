import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The quarter close (issue 12; RULES §6–§9).
 *
 * - quarter_runs / quarter_duties (src/quarters): one run per quarter and one row per duty with a
 *   unique key (quarter, duty); a duty's work and its row's `done` commit in one transaction, so a
 *   duty applies exactly once whatever happens (a schedule, a hand-started run, a catch-up, a
 *   crash in the middle).
 * - quarter_dormancy_proposals (src/quarters): banks and agencies past their dormancy period,
 *   proposed to the trustee, who confirms them with a reason (RULES §6 Decision 2026-12).
 * - party_loss_rates (src/programme): each party's loss rate per quarter with its numerator,
 *   balance, exact rate and band — the history shown on GET /v1/banks|agencies/{code}.
 * - banks.joined_on (src/programme): the date a bank joined, from which its dormancy is counted.
 * - agency_margin_requirements (src/agencies): the business-margin requirement fixed once per
 *   quarter by the quarter close (RULES §7 Decision 2026-12).
 * - placement_proposals (src/reserve): the placement the quarter close proposes (RULES §8); its
 *   approval and execution come later.
 */
export class Quarters1733300000000 implements MigrationInterface {
  name = 'Quarters1733300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE banks ADD COLUMN joined_on date`);
    await q.query(`
      CREATE TABLE quarter_runs (
        quarter text PRIMARY KEY CHECK (quarter ~ '^[0-9]{4}Q[1-4]$'),
        status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
        started_by text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE quarter_duties (
        quarter text NOT NULL REFERENCES quarter_runs(quarter),
        duty text NOT NULL,
        position smallint NOT NULL,
        due_on date NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        started_at timestamptz,
        finished_at timestamptz,
        error text,
        result jsonb,
        PRIMARY KEY (quarter, duty)
      )`);
    await q.query(`
      CREATE TABLE quarter_dormancy_proposals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        quarter text NOT NULL REFERENCES quarter_runs(quarter),
        party_type text NOT NULL CHECK (party_type IN ('bank', 'agency')),
        party_code text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('disqualification', 'warning')),
        dormant_since date NOT NULL,
        dormant_from date NOT NULL,
        last_activity_on date,
        status text NOT NULL CHECK (status IN ('proposed', 'confirmed')),
        confirmed_on date,
        confirm_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (quarter, party_type, party_code)
      )`);
    await q.query(`
      CREATE TABLE party_loss_rates (
        party_type text NOT NULL CHECK (party_type IN ('bank', 'agency')),
        party_code text NOT NULL,
        quarter text NOT NULL CHECK (quarter ~ '^[0-9]{4}Q[1-4]$'),
        as_of date NOT NULL,
        approved numeric(20,2) NOT NULL,
        refunded numeric(20,2) NOT NULL,
        written_off numeric(20,2) NOT NULL,
        numerator numeric(20,2) NOT NULL,
        balance numeric(20,2) NOT NULL,
        rate numeric(12,8),
        rate_exact text,
        rate_shown text,
        band text NOT NULL CHECK (band IN ('normal', 'warning', 'severe')),
        status_before text NOT NULL,
        status_after text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (party_type, party_code, quarter)
      )`);
    await q.query(`
      CREATE TABLE agency_margin_requirements (
        agency_code text NOT NULL,
        quarter text NOT NULL CHECK (quarter ~ '^[0-9]{4}Q[1-4]$'),
        basis_quarter_end date NOT NULL,
        reviewed_balance numeric(20,2) NOT NULL,
        fee_rate numeric(12,8) NOT NULL,
        fees_receivable numeric(20,2) NOT NULL,
        loss_rate numeric(12,8),
        loss_rate_quarter text,
        ratio numeric(12,8) NOT NULL,
        requirement numeric(20,2) NOT NULL,
        balance_at_fixing numeric(20,2) NOT NULL,
        breakdown jsonb NOT NULL,
        fixed_on date NOT NULL,
        PRIMARY KEY (agency_code, quarter)
      )`);
    await q.query(`
      CREATE TABLE placement_proposals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        quarter text NOT NULL UNIQUE CHECK (quarter ~ '^[0-9]{4}Q[1-4]$'),
        status text NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected', 'stale', 'executed')),
        as_of date NOT NULL,
        total numeric(20,2) NOT NULL,
        banks jsonb NOT NULL,
        transfers jsonb NOT NULL,
        breakdown jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['placement_proposals', 'agency_margin_requirements', 'party_loss_rates', 'quarter_dormancy_proposals', 'quarter_duties', 'quarter_runs']) {
      await q.query(`DROP TABLE ${t}`);
    }
    await q.query(`ALTER TABLE banks DROP COLUMN joined_on`);
  }
}
