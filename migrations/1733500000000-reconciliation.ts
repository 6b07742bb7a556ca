import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reconciliation (issue 14; RULES §8 "Reconciliation", R 第二十一条; docs/reconciliation.md):
 * payment instructions with their references, per-bank statement column mappings, imported
 * statements (one reconciliation each) with their lines, matches and proposed corrections.
 *
 * Integrity kept by the database as well as the code:
 * - a reference names one instruction, and a ledger line has at most one instruction;
 * - a statement line is in at most one match (its match_id column) and a ledger line in at most
 *   one active match (partial unique index): a line is never matched twice, across
 *   reconciliations too;
 * - the same file is imported once per account (hash), and a reconciliation's statement lines,
 *   matches and figures are frozen once it is closed (trigger).
 */
export class Reconciliation1733500000000 implements MigrationInterface {
  name = 'Reconciliation1733500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE payment_instruction_serial`);
    await q.query(`
      CREATE TABLE payment_instructions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        serial bigint NOT NULL UNIQUE,
        reference text NOT NULL UNIQUE CHECK (reference ~ '^RF[0-9A-HJKMNP-TV-Z]{8}$'),
        book text NOT NULL,
        bank_code text NOT NULL,
        account_code text NOT NULL,
        direction text NOT NULL CHECK (direction IN ('in','out')),
        amount numeric(20,2) NOT NULL CHECK (amount > 0),
        kind text NOT NULL,
        entry_id uuid,
        line_no smallint,
        sequence bigint,
        effective_date date,
        due_on date,
        memo text NOT NULL DEFAULT '',
        source_type text,
        source_id text,
        done_on date,
        done_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT payment_instructions_line UNIQUE (entry_id, line_no),
        CHECK ((entry_id IS NULL) = (line_no IS NULL))
      )`);
    await q.query(`CREATE INDEX payment_instructions_account_date ON payment_instructions (account_code, effective_date)`);
    await q.query(`CREATE INDEX payment_instructions_book_sequence ON payment_instructions (book, sequence)`);

    await q.query(`
      CREATE TABLE statement_column_mappings (
        bank_code text PRIMARY KEY,
        columns jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text
      )`);

    await q.query(`
      CREATE TABLE reconciliations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        bank_code text NOT NULL,
        book text NOT NULL,
        account_code text NOT NULL,
        period_from date NOT NULL,
        period_to date NOT NULL CHECK (period_to >= period_from),
        opening_balance numeric(20,2) NOT NULL,
        closing_balance numeric(20,2) NOT NULL,
        line_count integer NOT NULL,
        source text NOT NULL CHECK (source IN ('json','csv')),
        encoding text,
        file_hash char(64) NOT NULL,
        window_days integer NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text,
        closed_at timestamptz,
        closed_by text,
        closed_summary jsonb,
        CONSTRAINT reconciliations_file UNIQUE (account_code, file_hash),
        CHECK ((status = 'closed') = (closed_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX reconciliations_account_period ON reconciliations (account_code, period_from)`);

    await q.query(`
      CREATE TABLE reconciliation_statement_lines (
        reconciliation_id uuid NOT NULL,
        position integer NOT NULL CHECK (position >= 1),
        file_line integer NOT NULL,
        booked_on date NOT NULL,
        value_on date,
        amount numeric(20,2) NOT NULL CHECK (amount <> 0),
        balance numeric(20,2),
        counterparty text NOT NULL DEFAULT '',
        reference text NOT NULL DEFAULT '',
        memo text NOT NULL DEFAULT '',
        match_id uuid,
        PRIMARY KEY (reconciliation_id, position)
      )`);

    await q.query(`
      CREATE TABLE reconciliation_matches (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reconciliation_id uuid NOT NULL,
        method text NOT NULL CHECK (method IN ('reference','reference-split','amount-date','batch','split','manual','correction')),
        statement_total numeric(20,2) NOT NULL,
        ledger_total numeric(20,2) NOT NULL,
        reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text,
        undone_at timestamptz,
        undone_by text,
        undone_reason text
      )`);
    await q.query(`CREATE INDEX reconciliation_matches_rec ON reconciliation_matches (reconciliation_id)`);
    // The ledger side of each match, one row per ledger line; the statement side is the
    // statement line's own match_id (one column, so a statement line is in one match at most).
    await q.query(`
      CREATE TABLE reconciliation_match_items (
        match_id uuid NOT NULL,
        reconciliation_id uuid NOT NULL,
        entry_id uuid NOT NULL,
        line_no smallint NOT NULL,
        account_code text NOT NULL,
        effective_date date NOT NULL,
        amount numeric(20,2) NOT NULL,
        active boolean NOT NULL DEFAULT true
      )`);
    await q.query(`CREATE INDEX reconciliation_match_items_match ON reconciliation_match_items (reconciliation_id, match_id)`);
    await q.query(`CREATE UNIQUE INDEX reconciliation_match_items_ledger ON reconciliation_match_items (entry_id, line_no) WHERE active`);
    await q.query(`CREATE INDEX reconciliation_match_items_account ON reconciliation_match_items (account_code, effective_date) WHERE active`);

    await q.query(`
      CREATE TABLE reconciliation_corrections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        reconciliation_id uuid NOT NULL REFERENCES reconciliations(id),
        position integer,
        match_id uuid REFERENCES reconciliation_matches(id),
        amount numeric(20,2) NOT NULL CHECK (amount <> 0),
        counter_account text NOT NULL,
        effective_date date NOT NULL,
        memo text NOT NULL,
        reason text NOT NULL,
        status text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed','posted')),
        proposed_by text NOT NULL,
        proposed_at timestamptz NOT NULL DEFAULT now(),
        posted_by text,
        posted_at timestamptz,
        entry_id uuid,
        CHECK ((position IS NULL) <> (match_id IS NULL))
      )`);

    await q.query(`CREATE INDEX reconciliation_corrections_rec ON reconciliation_corrections (reconciliation_id)`);

    // A closed reconciliation is immutable: nothing of it changes, and nothing is added to it.
    await q.query(`
      CREATE FUNCTION reconciliation_closed_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE rec uuid;
      BEGIN
        IF TG_TABLE_NAME = 'reconciliations' THEN
          IF OLD.status = 'closed' THEN
            RAISE EXCEPTION 'RECONCILIATION.CLOSED: reconciliation % is closed', OLD.id USING ERRCODE = 'P0001';
          END IF;
          RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END IF;
        rec := CASE WHEN TG_OP = 'DELETE' THEN OLD.reconciliation_id ELSE NEW.reconciliation_id END;
        IF EXISTS (SELECT 1 FROM reconciliations r WHERE r.id = rec AND r.status = 'closed') THEN
          RAISE EXCEPTION 'RECONCILIATION.CLOSED: reconciliation % is closed', rec USING ERRCODE = 'P0001';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END $$`);
    await q.query(`CREATE TRIGGER reconciliations_closed BEFORE UPDATE OR DELETE ON reconciliations FOR EACH ROW EXECUTE FUNCTION reconciliation_closed_guard()`);
    // Statement lines, matches and match items are inserted by the hundred thousand (one import,
    // docs/benchmarks.md), so they carry no per-row foreign key or lookup: the code writes them
    // only under the reconciliation's lock, and one statement-level trigger per insert refuses
    // rows of a closed reconciliation. Changes and deletions are guarded row by row.
    await q.query(`
      CREATE FUNCTION reconciliation_closed_insert_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM new_rows n JOIN reconciliations r ON r.id = n.reconciliation_id WHERE r.status = 'closed') THEN
          RAISE EXCEPTION 'RECONCILIATION.CLOSED: the reconciliation is closed' USING ERRCODE = 'P0001';
        END IF;
        IF EXISTS (SELECT 1 FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM reconciliations r WHERE r.id = n.reconciliation_id)) THEN
          RAISE EXCEPTION 'RECONCILIATION.NOT_FOUND: a row names no reconciliation' USING ERRCODE = 'P0001';
        END IF;
        RETURN NULL;
      END $$`);
    for (const table of ['reconciliation_statement_lines', 'reconciliation_matches', 'reconciliation_match_items', 'reconciliation_corrections']) {
      await q.query(`CREATE TRIGGER ${table}_closed_insert AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reconciliation_closed_insert_guard()`);
      await q.query(`CREATE TRIGGER ${table}_closed BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION reconciliation_closed_guard()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['reconciliation_corrections', 'reconciliation_match_items', 'reconciliation_matches', 'reconciliation_statement_lines', 'reconciliations', 'statement_column_mappings', 'payment_instructions']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS reconciliation_closed_guard()`);
    await q.query(`DROP FUNCTION IF EXISTS reconciliation_closed_insert_guard()`);
    await q.query(`DROP SEQUENCE IF EXISTS payment_instruction_serial`);
  }
}
