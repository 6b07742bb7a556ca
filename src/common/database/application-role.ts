import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource, DataSourceOptions, MigrationExecutor } from 'typeorm';

/**
 * The database as a second wall (issue 10 item 6; docs/operations.md "Database roles").
 *
 * - `separate`: migrations run as the owner role (DATABASE_OWNER_URL), which then grants the
 *   service's role (DATABASE_URL) only what it needs (migration 1733110000000: journals INSERT
 *   and SELECT, other tables SELECT, INSERT, UPDATE). Owning nothing, the service's role cannot
 *   ALTER a table (DISABLE TRIGGER), DROP a trigger, TRUNCATE or GRANT.
 * - `single`: one URL, one role for both, as before: the service owns the tables.
 * - `embedded`: the in-process server runs every connection on one superuser session; only the
 *   ledger's triggers guard the journal.
 */
export type RolesMode = 'separate' | 'single' | 'embedded';

/** What /health and the start-up log say about the roles. */
export interface DatabaseRoles {
  mode: RolesMode;
  /** The role the service's queries run as. */
  service: string | null;
  /** The role migrations ran as. */
  migrations: string | null;
  /** What weakens the wall (a superuser, an owner of tables), in words. */
  warnings: string[];
}

/** One per application instance: filled at start-up, read by /health. */
export class DatabaseRolesHolder {
  roles: DatabaseRoles = { mode: 'single', service: null, migrations: null, warnings: [] };
}

/** The role a URL logs in as (`current_user` on a short-lived connection of its own). */
export async function roleOf(url: string): Promise<string> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 15_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return ((await client.query<{ role: string }>('SELECT current_user AS role')).rows[0]).role;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Runs the pending migrations as the owner role (`statement_timeout` lifted, one transaction per
 * migration, as at an ordinary start), then grants the service's role its privileges — every
 * start, so tables added by a migration get them too. Returns the two roles.
 */
export async function migrateAsOwner(ownerOptions: DataSourceOptions, appUrl: string): Promise<{ owner: string; service: string }> {
  const service = await roleOf(appUrl);
  const owner = new DataSource({ ...ownerOptions, migrationsRun: false, extra: { ...(ownerOptions.extra as object), max: 1 } } as DataSourceOptions);
  await owner.initialize();
  const runner = owner.createQueryRunner();
  try {
    await runner.query('SET statement_timeout = 0');
    const executor = new MigrationExecutor(owner, runner);
    executor.transaction = 'each';
    await executor.executePendingMigrations();
    const [{ role }] = (await runner.query('SELECT current_user AS role')) as { role: string }[];
    if (role === service) {
      throw new Error(`DATABASE_OWNER_URL and DATABASE_URL log in as the same role ("${role}"); the service needs a role of its own (docs/operations.md "Database roles")`);
    }
    await runner.query('SELECT grant_application_role($1)', [service]);
    return { owner: role, service };
  } finally {
    await runner.release();
    await owner.destroy();
  }
}

/**
 * Reads how far the service's own role is held back, and says so once in the log: a superuser
 * or a role that owns tables can undo every privilege and trigger.
 */
export async function describeRoles(dataSource: DataSource, mode: RolesMode, migrations: string | null): Promise<DatabaseRoles> {
  const logger = new Logger('Database');
  if (mode === 'embedded') {
    const roles: DatabaseRoles = {
      mode,
      service: 'postgres',
      migrations: 'postgres',
      warnings: ['embedded PostgreSQL: one superuser session for migrations and service; the journal is guarded by its triggers only'],
    };
    logger.log(`database roles: ${roles.warnings[0]} (docs/operations.md "Database roles")`);
    return roles;
  }
  const [facts] = (await dataSource.query(
    `SELECT current_user AS role, r.rolsuper AS superuser,
            (SELECT count(*)::int FROM pg_tables WHERE schemaname = current_schema() AND tableowner = current_user) AS owned
       FROM pg_roles r WHERE r.rolname = current_user`,
  )) as { role: string; superuser: boolean; owned: number }[];
  const warnings: string[] = [];
  if (facts.superuser) warnings.push(`the service's role "${facts.role}" is a superuser: no privilege or trigger holds it back`);
  if (facts.owned > 0) warnings.push(`the service's role "${facts.role}" owns ${facts.owned} table(s): it could disable their triggers, truncate or grant`);
  if (mode === 'single') warnings.unshift('one role runs migrations and the service (DATABASE_OWNER_URL not set)');
  const roles: DatabaseRoles = { mode, service: facts.role, migrations: migrations ?? facts.role, warnings };
  if (mode === 'separate' && !warnings.length) {
    logger.log(`database roles: migrations ran as "${roles.migrations}", the service runs as "${roles.service}" (journals INSERT and SELECT only; no ALTER, TRUNCATE or GRANT)`);
  } else {
    logger.warn(`database roles: ${warnings.join('; ')}. Set DATABASE_OWNER_URL to a role that owns the tables and DATABASE_URL to one that does not (docs/operations.md "Database roles")`);
  }
  return roles;
}
