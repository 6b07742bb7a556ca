import { MigrationInterface, QueryRunner } from 'typeorm';
import { grantApplicationRoleSql, JOURNALS } from './1733110000000-application-role';

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
    await q.query(grantApplicationRoleSql([...JOURNALS, 'audit_log'], 'CREATE OR REPLACE'));
    await q.query(`REVOKE ALL ON FUNCTION grant_application_role(name) FROM PUBLIC`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(grantApplicationRoleSql(JOURNALS, 'CREATE OR REPLACE'));
    await q.query(`REVOKE ALL ON FUNCTION grant_application_role(name) FROM PUBLIC`);
  }
}
