import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The double-entry ledger (issue #4, docs/ledger.md) and the idempotency-key store.
 *
 * Every invariant the posting service checks in code is checked again here, so that no code path
 * (nor a hand-written SQL statement by the application role) can break it:
 * - an entry's lines balance and are all there (at the end of the inserting statement when the
 *   entry is flagged lines_in_statement, else by a deferred constraint trigger at commit);
 * - entries and lines are append-only (UPDATE / DELETE / TRUNCATE raise; TRUNCATE also revoked);
 * - per book, sequences are gapless and each entry's prev_hash is the previous entry's hash, and no
 *   entry is dated on or before the book's closed-through date (statement trigger on insert, which
 *   also advances the book head);
 * - a balance row never moves below its floor (trigger on the balance row) and account
 *   definitions never change.
 */
export class Ledger1732400000000 implements MigrationInterface {
  name = 'Ledger1732400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ledger_books (
        code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_-]{0,31}$'),
        name text NOT NULL DEFAULT '',
        last_sequence bigint NOT NULL DEFAULT 0 CHECK (last_sequence >= 0),
        last_hash char(64) NOT NULL DEFAULT repeat('0', 64),
        closed_through date,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`INSERT INTO ledger_books (code, name) VALUES
      ('reserve', 'Tech-loan risk reserve fund'), ('margin', 'Agency margins')`);

    await q.query(`
      CREATE TABLE ledger_accounts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        book text NOT NULL REFERENCES ledger_books(code),
        code text NOT NULL,
        name text NOT NULL,
        type text NOT NULL CHECK (type IN ('asset','liability','equity','income','expense')),
        normal_side text NOT NULL CHECK (normal_side IN ('debit','credit')),
        floor numeric(20,2),
        debits numeric(20,2) NOT NULL DEFAULT 0 CHECK (debits >= 0),
        credits numeric(20,2) NOT NULL DEFAULT 0 CHECK (credits >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ledger_accounts_book_code UNIQUE (book, code),
        CONSTRAINT ledger_accounts_code_in_book CHECK (code LIKE book || ':%')
      )`);

    await q.query(`
      CREATE TABLE ledger_entries (
        id uuid PRIMARY KEY,
        book text NOT NULL,
        sequence bigint NOT NULL CHECK (sequence > 0),
        effective_date date NOT NULL,
        recorded_at timestamptz NOT NULL,
        memo text NOT NULL,
        link_type text,
        link_id text,
        reversal_of uuid REFERENCES ledger_entries(id),
        line_count integer NOT NULL CHECK (line_count >= 2),
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL,
        -- true: the entry's lines are inserted by the same statement, and the statement trigger
        -- checks them at its end; false: they may follow in later statements, checked at COMMIT.
        lines_in_statement boolean NOT NULL DEFAULT false,
        CONSTRAINT ledger_entries_book_sequence UNIQUE (book, sequence),
        CHECK ((link_type IS NULL) = (link_id IS NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX ledger_entries_reversal_of ON ledger_entries (reversal_of) WHERE reversal_of IS NOT NULL`,
    );
    await q.query(`CREATE INDEX ledger_entries_book_date ON ledger_entries (book, effective_date)`);
    await q.query(`CREATE INDEX ledger_entries_link ON ledger_entries (link_type, link_id) WHERE link_type IS NOT NULL`);

    // effective_date and sequence are copied from the entry so that balances as of a date and
    // statements read one index: (account_id, effective_date, sequence).
    // entry_id and account_id are checked by the statement trigger below, set-based, instead of
    // per-row foreign keys (the posting hot path inserts hundreds of lines per statement): it
    // checks more than a foreign key would (the account is in the entry's book, the line fills a
    // declared slot), and neither entries nor accounts can ever be deleted.
    await q.query(`
      CREATE TABLE ledger_lines (
        entry_id uuid NOT NULL,
        line_no smallint NOT NULL CHECK (line_no >= 1),
        account_id bigint NOT NULL,
        side char(1) NOT NULL CHECK (side IN ('D','C')),
        amount numeric(20,2) NOT NULL CHECK (amount > 0),
        effective_date date NOT NULL,
        sequence bigint NOT NULL,
        PRIMARY KEY (entry_id, line_no)
      )`);
    await q.query(`CREATE INDEX ledger_lines_account_date ON ledger_lines (account_id, effective_date, sequence)`);

    await q.query(`
      CREATE TABLE ledger_period_closes (
        book text NOT NULL REFERENCES ledger_books(code),
        quarter text NOT NULL CHECK (quarter ~ '^[0-9]{4}Q[1-4]$'),
        closed_through date NOT NULL,
        last_sequence bigint NOT NULL,
        head_hash char(64) NOT NULL,
        closed_at timestamptz NOT NULL,
        PRIMARY KEY (book, quarter)
      )`);

    // ---- append-only ------------------------------------------------------------------------
    await q.query(`
      CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'LEDGER.APPEND_ONLY: % on % is not allowed; post a reversing entry instead', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'P0001';
      END $$`);
    for (const table of ['ledger_entries', 'ledger_lines', 'ledger_period_closes']) {
      await q.query(
        `CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ledger_append_only()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()`,
      );
    }
    await q.query(`CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts FOR EACH ROW EXECUTE FUNCTION ledger_append_only()`);
    await q.query(`CREATE TRIGGER ledger_books_no_delete BEFORE DELETE ON ledger_books FOR EACH ROW EXECUTE FUNCTION ledger_append_only()`);
    for (const table of ['ledger_accounts', 'ledger_books']) {
      await q.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()`,
      );
    }
    // TRUNCATE skips row triggers, so it is also revoked; a superuser (and PGlite, whose only
    // role is a superuser) bypasses privileges, which is why the statement triggers above exist.
    await q.query(`
      DO $$
      BEGIN
        REVOKE TRUNCATE ON ledger_entries, ledger_lines, ledger_accounts, ledger_books, ledger_period_closes FROM PUBLIC;
        EXECUTE format('REVOKE TRUNCATE ON ledger_entries, ledger_lines, ledger_accounts, ledger_books, ledger_period_closes FROM %I', current_user);
      EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'ledger: could not revoke TRUNCATE (%)', SQLERRM;
      END $$`);

    // ---- balance rows: definitions immutable, totals only grow, floors hold ------------------
    await q.query(`
      CREATE FUNCTION ledger_account_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        old_balance numeric;
        new_balance numeric;
      BEGIN
        IF NEW.id <> OLD.id OR NEW.book <> OLD.book OR NEW.code <> OLD.code OR NEW.type <> OLD.type
           OR NEW.normal_side <> OLD.normal_side OR NEW.floor IS DISTINCT FROM OLD.floor THEN
          RAISE EXCEPTION 'LEDGER.ACCOUNT_IMMUTABLE: the definition of account % cannot change', OLD.code USING ERRCODE = 'P0001';
        END IF;
        IF NEW.debits < OLD.debits OR NEW.credits < OLD.credits THEN
          RAISE EXCEPTION 'LEDGER.APPEND_ONLY: the totals of account % only grow', OLD.code USING ERRCODE = 'P0001';
        END IF;
        IF NEW.floor IS NOT NULL THEN
          IF NEW.normal_side = 'debit' THEN
            old_balance := OLD.debits - OLD.credits; new_balance := NEW.debits - NEW.credits;
          ELSE
            old_balance := OLD.credits - OLD.debits; new_balance := NEW.credits - NEW.debits;
          END IF;
          IF new_balance < old_balance AND new_balance < NEW.floor THEN
            RAISE EXCEPTION 'LEDGER.FLOOR_BREACH: account % would go to % (floor %)', NEW.code, new_balance, NEW.floor
              USING ERRCODE = 'P0001';
          END IF;
        END IF;
        RETURN NEW;
      END $$`);
    // The WHEN clause is evaluated without entering PL/pgSQL, so the common case (a balance row
    // without a floor growing its totals) costs nothing on the posting path.
    await q.query(`
      CREATE TRIGGER ledger_accounts_guard BEFORE UPDATE ON ledger_accounts FOR EACH ROW
        WHEN (NEW.floor IS NOT NULL OR OLD.floor IS NOT NULL OR NEW.id <> OLD.id OR NEW.book <> OLD.book OR NEW.code <> OLD.code
              OR NEW.type <> OLD.type OR NEW.normal_side <> OLD.normal_side OR NEW.debits < OLD.debits OR NEW.credits < OLD.credits)
        EXECUTE FUNCTION ledger_account_guard()`);

    // ---- book head: sequence only grows, a closed period never reopens -----------------------
    await q.query(`
      CREATE FUNCTION ledger_book_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.code <> OLD.code OR NEW.last_sequence < OLD.last_sequence
           OR (OLD.closed_through IS NOT NULL AND (NEW.closed_through IS NULL OR NEW.closed_through < OLD.closed_through)) THEN
          RAISE EXCEPTION 'LEDGER.APPEND_ONLY: the head of book % only moves forward', OLD.code USING ERRCODE = 'P0001';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER ledger_books_guard BEFORE UPDATE ON ledger_books FOR EACH ROW EXECUTE FUNCTION ledger_book_guard()`);

    // ---- entries: gapless sequence, hash chain, closed periods; advances the book head -------
    await q.query(`
      CREATE FUNCTION ledger_entries_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        b record;
        head record;
        bad record;
        unbalanced record;
      BEGIN
        FOR b IN SELECT book, min(sequence) AS first_seq, max(sequence) AS last_seq, count(*) AS n,
                        min(effective_date) AS first_date
                   FROM new_entries GROUP BY book ORDER BY book LOOP
          SELECT last_sequence, last_hash, closed_through INTO head FROM ledger_books WHERE code = b.book FOR UPDATE;
          IF NOT FOUND THEN
            RAISE EXCEPTION 'LEDGER.UNKNOWN_BOOK: there is no book %', b.book USING ERRCODE = 'P0001';
          END IF;
          IF b.first_seq <> head.last_sequence + 1 OR b.last_seq - b.first_seq + 1 <> b.n THEN
            RAISE EXCEPTION 'LEDGER.SEQUENCE_GAP: book % is at %, entries % to % (% of them) do not follow it',
              b.book, head.last_sequence, b.first_seq, b.last_seq, b.n USING ERRCODE = 'P0001';
          END IF;
          IF head.closed_through IS NOT NULL AND b.first_date <= head.closed_through THEN
            RAISE EXCEPTION 'LEDGER.CLOSED_PERIOD: book % is closed through %; an entry is dated %',
              b.book, head.closed_through, b.first_date USING ERRCODE = 'P0001';
          END IF;
          -- Sequences are consecutive (checked above; unique per book), so the previous entry is
          -- the previous row in sequence order: one sort and a window, not a self-join of the
          -- transition table (which has no index: a nested loop, quadratic in the batch size).
          SELECT c.sequence INTO bad FROM (
            SELECT e.sequence, e.prev_hash, coalesce(lag(e.hash) OVER (ORDER BY e.sequence), head.last_hash) AS expected
              FROM new_entries e WHERE e.book = b.book) c
           WHERE c.prev_hash IS DISTINCT FROM c.expected
           LIMIT 1;
          IF FOUND THEN
            RAISE EXCEPTION 'LEDGER.CHAIN_BROKEN: entry % of book % does not link to the previous hash', bad.sequence, b.book
              USING ERRCODE = 'P0001';
          END IF;
          UPDATE ledger_books
             SET last_sequence = b.last_seq,
                 last_hash = (SELECT hash FROM new_entries WHERE book = b.book AND sequence = b.last_seq)
           WHERE code = b.book;
        END LOOP;
        -- Entries whose lines come in this same statement: all their lines are there and balance,
        -- checked here in one set-based query (one index probe per entry) instead of one deferred
        -- trigger call per entry at COMMIT. Their slots are then all taken, so the check is final.
        SELECT e.book, e.sequence, e.line_count, x.n, x.debits, x.credits INTO unbalanced
          FROM new_entries e
          CROSS JOIN LATERAL (
            SELECT count(*) AS n, coalesce(sum(l.amount) FILTER (WHERE l.side = 'D'), 0) AS debits,
                   coalesce(sum(l.amount) FILTER (WHERE l.side = 'C'), 0) AS credits
              FROM ledger_lines l WHERE l.entry_id = e.id) x
         WHERE e.lines_in_statement AND (x.debits <> x.credits OR x.n <> e.line_count)
         LIMIT 1;
        IF FOUND THEN
          IF unbalanced.debits <> unbalanced.credits THEN
            RAISE EXCEPTION 'LEDGER.UNBALANCED: entry % of book % has debits % and credits %',
              unbalanced.sequence, unbalanced.book, unbalanced.debits, unbalanced.credits USING ERRCODE = 'P0001';
          END IF;
          RAISE EXCEPTION 'LEDGER.UNBALANCED: entry % of book % declares % lines but has %',
            unbalanced.sequence, unbalanced.book, unbalanced.line_count, unbalanced.n USING ERRCODE = 'P0001';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER ledger_entries_head AFTER INSERT ON ledger_entries
        REFERENCING NEW TABLE AS new_entries FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_inserted()`);

    // ---- lines: belong to an entry's declared slots and copy its date and sequence ------------
    // With line_no ≤ line_count and the (entry_id, line_no) key, no line can ever be added to a
    // committed entry, so the balance check below need only run once per entry.
    await q.query(`
      CREATE FUNCTION ledger_lines_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        bad record;
      BEGIN
        SELECT l.entry_id, l.line_no INTO bad FROM new_lines l
          LEFT JOIN ledger_entries e ON e.id = l.entry_id
          LEFT JOIN ledger_accounts a ON a.id = l.account_id
         WHERE e.id IS NULL OR a.id IS NULL OR a.book <> e.book
            OR l.line_no > e.line_count OR l.effective_date <> e.effective_date OR l.sequence <> e.sequence
         LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION 'LEDGER.LINE_MISMATCH: line % of entry % does not match its entry and an account of its book', bad.line_no, bad.entry_id
            USING ERRCODE = 'P0001';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER ledger_lines_slot AFTER INSERT ON ledger_lines
        REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION ledger_lines_inserted()`);

    // ---- at commit: every entry has all its lines and they balance ----------------------------
    // Only for entries inserted without lines_in_statement (the WHEN clause is evaluated at INSERT
    // time, so the others queue no event at all); those were checked by ledger_entries_inserted.
    await q.query(`
      CREATE FUNCTION ledger_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        n integer;
        debits numeric;
        credits numeric;
      BEGIN
        SELECT count(*), coalesce(sum(amount) FILTER (WHERE side = 'D'), 0), coalesce(sum(amount) FILTER (WHERE side = 'C'), 0)
          INTO n, debits, credits FROM ledger_lines WHERE entry_id = NEW.id;
        IF debits <> credits THEN
          RAISE EXCEPTION 'LEDGER.UNBALANCED: entry % of book % has debits % and credits %', NEW.sequence, NEW.book, debits, credits
            USING ERRCODE = 'P0001';
        END IF;
        IF n <> NEW.line_count THEN
          RAISE EXCEPTION 'LEDGER.UNBALANCED: entry % of book % declares % lines but has %', NEW.sequence, NEW.book, NEW.line_count, n
            USING ERRCODE = 'P0001';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NOT NEW.lines_in_statement) EXECUTE FUNCTION ledger_entry_balanced()`);

    // ---- idempotency keys (src/common/idempotency) --------------------------------------------
    await q.query(`
      CREATE TABLE idempotency_keys (
        scope text NOT NULL,
        method text NOT NULL,
        path text NOT NULL,
        key text NOT NULL,
        request_hash char(64) NOT NULL,
        state text NOT NULL CHECK (state IN ('pending','done')),
        status_code integer,
        response jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        PRIMARY KEY (scope, method, path, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE idempotency_keys');
    await q.query('DROP TABLE ledger_period_closes, ledger_lines, ledger_entries, ledger_accounts, ledger_books CASCADE');
    for (const fn of [
      'ledger_entry_balanced',
      'ledger_lines_inserted',
      'ledger_entries_inserted',
      'ledger_book_guard',
      'ledger_account_guard',
      'ledger_append_only',
    ]) {
      await q.query(`DROP FUNCTION ${fn}()`);
    }
  }
}
