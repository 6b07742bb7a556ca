import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * Row-level security as the second wall (issue #15 item 4; migration 1733820000000; docs/access.md
 * "Row-level security").
 *
 * Policies on the party-owned tables read two settings of the connection: `app.party_type`
 * (`system` | `bank` | `agency`) and `app.party_code`. The service:
 *
 * - opens every connection with `app.party_type = system` — unrestricted by an explicit setting
 *   (a pg startup option on a real server, a session `SET` on the embedded one); staff roles,
 *   background jobs, migrations and the writes run so;
 * - inside a transaction opened for a bank or agency token (TransactionScope with a party), sets
 *   both with `set_config(…, true)`, which PostgreSQL undoes when the transaction ends, so a pooled
 *   connection can never carry a party to the next request.
 *
 * Superusers and BYPASSRLS roles skip every policy: the embedded database (PGlite runs as its one
 * superuser) and a server reached as `postgres`. There a walled transaction also does
 * `SET LOCAL ROLE reserve_fund_wall`, a NOLOGIN role prepared at start-up that may only SELECT, so
 * the policies hold there as well (and a walled transaction cannot write).
 */
export const PARTY_TYPE_SETTING = 'app.party_type';
export const PARTY_CODE_SETTING = 'app.party_code';
export const SYSTEM_PARTY = 'system';
/** The role a walled transaction switches to when the service's own role bypasses RLS. */
export const WALL_ROLE = 'reserve_fund_wall';

/** Whose rows a transaction may see. */
export interface WallParty {
  type: 'bank' | 'agency';
  code: string;
}

/** The pg startup option that makes every connection of a real server start unrestricted. */
export const SYSTEM_PARTY_STARTUP_OPTION = `-c ${PARTY_TYPE_SETTING}=${SYSTEM_PARTY}`;

/**
 * Prepares the wall on this database and says whether walled transactions must switch role: when
 * the connection's role is a superuser or has BYPASSRLS, creates `reserve_fund_wall` if it does
 * not exist (a cluster-wide role; another database of the cluster may have made it first) and
 * grants it SELECT on every table of the schema — again at every start, so later tables are
 * covered. Returns false for a role the policies already hold for (the application role of
 * docs/operations.md "Database roles", or a one-URL owner, through FORCE ROW LEVEL SECURITY).
 */
export async function prepareWall(dataSource: DataSource, embedded: boolean): Promise<boolean> {
  const [me] = (await dataSource.query(`SELECT rolsuper OR rolbypassrls AS bypass FROM pg_roles WHERE rolname = current_user`)) as { bypass: boolean }[];
  if (!me?.bypass) return false;
  if (embedded) {
    // One superuser session serves every connection of the embedded server; the setting is
    // session-wide there (startup options are not read).
    await dataSource.query(`SET ${PARTY_TYPE_SETTING} = '${SYSTEM_PARTY}'`);
  }
  await dataSource.query(`
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${WALL_ROLE}') THEN
        CREATE ROLE ${WALL_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`);
  // Only what is missing: after the first start nothing is granted (two instances starting at
  // once would otherwise update the same catalog rows: "tuple concurrently updated").
  await dataSource.query(`
    DO $$
    DECLARE t record;
    BEGIN
      IF NOT has_schema_privilege('${WALL_ROLE}', 'public', 'USAGE') THEN
        GRANT USAGE ON SCHEMA public TO ${WALL_ROLE};
      END IF;
      FOR t IN SELECT c.oid::regclass AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v') AND NOT has_table_privilege('${WALL_ROLE}', c.oid, 'SELECT') LOOP
        EXECUTE format('GRANT SELECT ON %s TO ${WALL_ROLE}', t.rel);
      END LOOP;
    END $$`);
  new Logger('Database').log(`party wall: the service's role bypasses row-level security; walled transactions run as ${WALL_ROLE}`);
  return true;
}

/** The first statements of a transaction opened for a party. */
export async function enterWall(m: EntityManager, party: WallParty, switchRole: boolean): Promise<void> {
  if (switchRole) await m.query(`SET LOCAL ROLE ${WALL_ROLE}`);
  await m.query(`SELECT set_config('${PARTY_TYPE_SETTING}', $1, true), set_config('${PARTY_CODE_SETTING}', $2, true)`, [party.type, party.code]);
}

/** Back to unrestricted for the rest of the transaction, or until `enterWall` again. */
export async function leaveWall(m: EntityManager): Promise<void> {
  await m.query(`SELECT set_config('${PARTY_TYPE_SETTING}', '${SYSTEM_PARTY}', true), set_config('${PARTY_CODE_SETTING}', '', true)`);
}
