import { MigrationInterface, QueryRunner } from 'typeorm';
import { DELETABLES, grantApplicationRoleSql, JOURNALS } from './1733110000000-application-role';

/**
 * Issue 13 ("Performance"): the per-bank loan figures of the placement model, aggregated over every
 * loan and its latest bank-report row as of a quarter end, are kept once computed
 * (`loan_figure_snapshots`) and reused until something they rest on changes
 * (docs/placement.md "Stored loan figures").
 *
 * - `loan_figure_changes`: one row per statement that changed loans, bank reports or their rows,
 *   written by the triggers below whatever code path wrote: the transaction that made it
 *   (`xact`) and the earliest date the change can move a figure (`earliest`: the loan's
 *   disbursement date, before or after the change, or the report's quarter end). A new loan not
 *   disbursed yet changes nothing as of any date and writes no row.
 * - `loan_figure_snapshots`: the figures of one kind, as of one date, for one set of parameters,
 *   with the snapshot (`pg_snapshot`) of the statement that aggregated them. They are current as
 *   long as no change row dated on or before `as_of` comes from a transaction that snapshot could
 *   not see: that test needs no lock on the writers' side and is exact under concurrency (a change
 *   in flight while the figures were aggregated is not in them, and marks them stale once it
 *   commits; one that rolled back never shows).
 *
 * Change rows every snapshot saw are deleted when figures are stored, so the service's role may
 * DELETE from `loan_figure_changes` (grant_application_role with the longer list).
 */
export class LoanFigureSnapshots1733880000000 implements MigrationInterface {
  name = 'LoanFigureSnapshots1733880000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE loan_figure_changes (
        xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
        earliest date NOT NULL,
        source text NOT NULL
      )`);
    await q.query(`CREATE INDEX loan_figure_changes_xact ON loan_figure_changes (xact)`);
    await q.query(`
      CREATE TABLE loan_figure_snapshots (
        kind text NOT NULL,
        as_of date NOT NULL,
        params text NOT NULL,
        snapshot pg_snapshot NOT NULL,
        figures jsonb NOT NULL,
        computed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kind, as_of, params)
      )`);
    // Loans: any change of a row counts (conservative: a column added later is covered without
    // touching this function), dated by the earlier of its disbursement dates before and after.
    await q.query(`
      CREATE FUNCTION loan_figures_changed_by_loans() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        e date;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          SELECT min(disbursed_on) INTO e FROM new_rows;
        ELSIF TG_OP = 'DELETE' THEN
          SELECT min(disbursed_on) INTO e FROM old_rows;
        ELSE
          SELECT min(LEAST(o.disbursed_on, n.disbursed_on)) INTO e
            FROM old_rows o JOIN new_rows n ON n.id = o.id
           WHERE to_jsonb(o) IS DISTINCT FROM to_jsonb(n);
        END IF;
        IF e IS NOT NULL THEN
          INSERT INTO loan_figure_changes (earliest, source) VALUES (e, 'loans ' || lower(TG_OP));
        END IF;
        RETURN NULL;
      END $$`);
    // Bank reports and their rows: dated by the report's quarter end (a superseded version stops
    // counting, a new one starts).
    await q.query(`
      CREATE FUNCTION loan_figures_changed_by_reports() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        e date;
      BEGIN
        IF TG_TABLE_NAME = 'bank_reports' THEN
          IF TG_OP = 'INSERT' THEN
            SELECT min(quarter_end) INTO e FROM new_rows;
          ELSIF TG_OP = 'DELETE' THEN
            SELECT min(quarter_end) INTO e FROM old_rows;
          ELSE
            SELECT min(LEAST(o.quarter_end, n.quarter_end)) INTO e
              FROM old_rows o JOIN new_rows n ON n.id = o.id
             WHERE to_jsonb(o) IS DISTINCT FROM to_jsonb(n);
          END IF;
        ELSIF TG_OP = 'DELETE' THEN
          SELECT min(b.quarter_end) INTO e FROM bank_reports b WHERE b.id IN (SELECT DISTINCT report_id FROM old_rows);
        ELSE
          SELECT min(b.quarter_end) INTO e FROM bank_reports b WHERE b.id IN (SELECT DISTINCT report_id FROM new_rows);
        END IF;
        IF e IS NOT NULL THEN
          INSERT INTO loan_figure_changes (earliest, source) VALUES (e, TG_TABLE_NAME || ' ' || lower(TG_OP));
        END IF;
        RETURN NULL;
      END $$`);
    for (const [table, fn] of [
      ['loans', 'loan_figures_changed_by_loans'],
      ['bank_reports', 'loan_figures_changed_by_reports'],
      ['bank_report_rows', 'loan_figures_changed_by_reports'],
    ]) {
      await q.query(`CREATE TRIGGER ${table}_figures_insert AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
      await q.query(
        `CREATE TRIGGER ${table}_figures_update AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
      );
      await q.query(`CREATE TRIGGER ${table}_figures_delete AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
    }
    await q.query(grantApplicationRoleSql([...JOURNALS, 'audit_log'], 'CREATE OR REPLACE', [...DELETABLES, 'loan_figure_changes']));
    await q.query(`REVOKE ALL ON FUNCTION grant_application_role(name) FROM PUBLIC`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['loans', 'bank_reports', 'bank_report_rows']) {
      for (const op of ['insert', 'update', 'delete']) await q.query(`DROP TRIGGER ${table}_figures_${op} ON ${table}`);
    }
    await q.query(`DROP FUNCTION loan_figures_changed_by_loans()`);
    await q.query(`DROP FUNCTION loan_figures_changed_by_reports()`);
    await q.query(`DROP TABLE loan_figure_snapshots`);
    await q.query(`DROP TABLE loan_figure_changes`);
    await q.query(grantApplicationRoleSql([...JOURNALS, 'audit_log'], 'CREATE OR REPLACE'));
    await q.query(`REVOKE ALL ON FUNCTION grant_application_role(name) FROM PUBLIC`);
  }
}
