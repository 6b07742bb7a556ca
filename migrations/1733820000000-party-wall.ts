import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Row-level security as the second wall of confidentiality (issue #15 item 4; docs/access.md
 * "Row-level security").
 *
 * Every connection of the service states whose rows it may see in two settings: `app.party_type`
 * (`system`, `bank` or `agency`) and `app.party_code`. The service opens its connections with
 * `app.party_type = system` (unrestricted, said explicitly) and sets `bank`/`agency` and the code
 * with `set_config(…, true)` — for one transaction only — around the reads of a bank or agency
 * token. A connection that sets nothing (a console session that forgot) sees no row of these
 * tables: unrestricted is a setting, never the absence of one.
 *
 * FORCE: the policies also hold for the tables' owner (the role of a one-URL set-up, or the
 * migrations' role), not only for an application role that owns nothing; superusers and BYPASSRLS
 * roles still pass (the service then switches to a role of its own inside a walled transaction,
 * src/common/database/party-wall.ts).
 *
 * The setting is read through `(SELECT current_setting(…))`, so PostgreSQL evaluates it once per
 * statement (an InitPlan), not once per row.
 */
const TYPE = `(SELECT current_setting('app.party_type', true))`;
const CODE = `(SELECT current_setting('app.party_code', true))`;

/** Table → who besides `system` may see a row. */
const POLICIES: Record<string, string> = {
  loans: `(${TYPE} = 'bank' AND bank_code = ${CODE}) OR (${TYPE} = 'agency' AND agency_code = ${CODE})`,
  claims: `(${TYPE} = 'bank' AND bank_code = ${CODE}) OR (${TYPE} = 'agency' AND agency_code = ${CODE})`,
  bank_reports: `${TYPE} = 'bank' AND bank_code = ${CODE}`,
  bank_report_rows: `${TYPE} = 'bank' AND EXISTS (SELECT 1 FROM bank_reports r WHERE r.id = report_id AND r.bank_code = ${CODE})`,
  // A borrower belongs to the bank that registered it (migration 1733420000000); agencies review
  // borrowers of every bank and see them all (docs/access.md).
  borrowers: `(${TYPE} = 'bank' AND bank_code = ${CODE}) OR ${TYPE} = 'agency'`,
};

export class PartyWall1733820000000 implements MigrationInterface {
  name = 'PartyWall1733820000000';

  async up(q: QueryRunner): Promise<void> {
    for (const [table, party] of Object.entries(POLICIES)) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY party_wall ON ${table} USING (${TYPE} = 'system' OR ${party})`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of Object.keys(POLICIES).reverse()) {
      await q.query(`DROP POLICY party_wall ON ${table}`);
      await q.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
    }
  }
}
