import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail (migration 1733430000000, issue #15) is a journal for the application role
 * (migration 1733110000000, docs/operations.md "Database roles"): SELECT and INSERT only on
 * `audit_log`, so the role the service runs as cannot UPDATE or DELETE a row even were the
 * append-only triggers gone. `audit_log_head` keeps SELECT, INSERT, UPDATE (appending moves it,
 * one step at a time under its own trigger). This replaces grant_application_role with the longer
 * journal list, as that migration's comment asks; the service runs the function again at start-up
 * when DATABASE_OWNER_URL is set, which applies it to existing databases.
 */
export class AuditLogApplicationRole1733710000000 implements MigrationInterface {
  name = 'AuditLogApplicationRole1733710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION grant_application_role(app name) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        journals text[] := ARRAY['ledger_entries', 'ledger_lines', 'ledger_period_closes', 'agency_margin_events',
                                 'party_status_changes', 'claim_payout_legs', 'reserve_fundings', 'bank_report_rows',
                                 'audit_log'];
        deletable text[] := ARRAY['ledger_verify_checkpoints'];
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
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION grant_application_role(name) FROM PUBLIC`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION grant_application_role(app name) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        journals text[] := ARRAY['ledger_entries', 'ledger_lines', 'ledger_period_closes', 'agency_margin_events',
                                 'party_status_changes', 'claim_payout_legs', 'reserve_fundings', 'bank_report_rows'];
        deletable text[] := ARRAY['ledger_verify_checkpoints'];
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
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION grant_application_role(name) FROM PUBLIC`);
  }
}
