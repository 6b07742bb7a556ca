import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The database as a second wall (issue 10 item 6; docs/operations.md "Database roles").
 *
 * Migrations run as the owner role, which owns every table, trigger and function; the service runs
 * as an application role that owns nothing. This function, run by the owner, gives the application
 * role exactly what the service needs and nothing more:
 *
 * - the journals — tables whose rows are facts that are never changed or removed (the ledger's
 *   entries, lines and period closes; margin events; party status history; payout legs; reserve
 *   fundings; bank report rows) — SELECT and INSERT only, so the role cannot UPDATE or DELETE
 *   them even where no trigger stands guard;
 * - `migrations`: SELECT only;
 * - tables the service deletes from (verify's checkpoints, removed when a chain is found broken):
 *   SELECT, INSERT, UPDATE, DELETE;
 * - every other table: SELECT, INSERT, UPDATE;
 * - the schema's sequences: USAGE, SELECT.
 *
 * Whatever it had before is revoked first, so running it again after a migration gives exactly
 * this on every table, the new ones too (the service runs it at start-up after the migrations when
 * DATABASE_OWNER_URL is set). Not being the owner, the role cannot ALTER a table (so no DISABLE
 * TRIGGER), DROP a trigger, TRUNCATE, or GRANT. The function refuses to run for the owner itself
 * or for a superuser (which every check skips).
 *
 * A later migration that adds a journal table replaces this function with a longer list.
 */
/** The journal tables of this migration; a later migration that adds one passes the longer list. */
export const JOURNALS: readonly string[] = [
  'ledger_entries',
  'ledger_lines',
  'ledger_period_closes',
  'agency_margin_events',
  'party_status_changes',
  'claim_payout_legs',
  'reserve_fundings',
  'bank_report_rows',
];

/** The tables of this migration the role may also DELETE from; a later migration may pass a longer list. */
export const DELETABLES: readonly string[] = ['ledger_verify_checkpoints'];

/** The SQL that (re)defines grant_application_role with `journals` as its SELECT/INSERT-only tables. */
export function grantApplicationRoleSql(journals: readonly string[], create: 'CREATE' | 'CREATE OR REPLACE', deletables: readonly string[] = DELETABLES): string {
  return `
      ${create} FUNCTION grant_application_role(app name) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        journals text[] := ARRAY[${journals.map((j) => `'${j}'`).join(', ')}];
        deletable text[] := ARRAY[${deletables.map((d) => `'${d}'`).join(', ')}];
        t record;
        privileges text;
      BEGIN
        IF app = current_user THEN
          RAISE EXCEPTION 'the application role must not be the owner role (%)', app;
        END IF;
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app AND rolsuper) THEN
          RAISE EXCEPTION 'the application role % is a superuser: no privilege can hold it back', app;
        END IF;
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), app);
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM %I', current_schema(), app);
        EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM %I', current_schema(), app);
        FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname LOOP
          privileges := CASE
            WHEN t.relname = ANY (journals) THEN 'SELECT, INSERT'
            WHEN t.relname = 'migrations' THEN 'SELECT'
            WHEN t.relname = ANY (deletable) THEN 'SELECT, INSERT, UPDATE, DELETE'
            ELSE 'SELECT, INSERT, UPDATE'
          END;
          EXECUTE format('GRANT %s ON %I.%I TO %I', privileges, current_schema(), t.relname, app);
        END LOOP;
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), app);
      END $$`;
}

export class ApplicationRole1733110000000 implements MigrationInterface {
  name = 'ApplicationRole1733110000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(grantApplicationRoleSql(JOURNALS, 'CREATE'));
    await q.query(`REVOKE ALL ON FUNCTION grant_application_role(name) FROM PUBLIC`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION grant_application_role(name)`);
  }
}
