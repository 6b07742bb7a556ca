import { DatabaseError, Pool, PoolConfig } from 'pg';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { FastPathDeclined } from './posting.errors';
import { Querier } from './posting.types';

/**
 * How the posting paths reach the database: through TypeORM's manager (a caller's transaction, or
 * a transaction of our own), or — for an autocommitted batch — on a pg connection taken aside,
 * where the fast statement runs as a named prepared statement: on a real server from the ledger's
 * own small pool whose sessions plan it once (GenericPlanPool), on the embedded one from the
 * shared pool.
 */

/** A querier on a transaction's manager, or on the pool. */
export function managerQuerier(target: EntityManager | DataSource): Querier {
  return (sql, params) => target.query(sql, params) as Promise<unknown[]>;
}

/** The part of pg's Client that the posting path uses. */
export interface PgClient {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: unknown[] }>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

/** A statement to run as a named prepared statement: parsed and planned once per connection. */
export interface NamedStatement {
  name: string;
  text: string;
}

/** Where a connection taken aside comes from: the data source's pool, or GenericPlanPool. */
export interface ConnectionSource {
  connect(): Promise<[PgClient, (error?: Error) => void]>;
}

/** The startup option that makes a session plan its prepared statements generically. */
export const GENERIC_PLAN_OPTION = '-c plan_cache_mode=force_generic_plan';

/**
 * The ledger's own connections for the autocommitted fast statement, on a real server (issue 16).
 *
 * Why: PostgreSQL re-plans a named prepared statement for every execution while it estimates its
 * generic plan dearer than a custom one — and for FAST_SQL it always does (the generic plan
 * guesses 10 elements per array), so the "prepared" statement was planned on every post: ~0.65 ms
 * of server time per lone entry, more than its execution (~0.55 ms; docs/benchmarks.md "Run 7").
 * `plan_cache_mode = force_generic_plan` makes the session plan it once. That setting applies to
 * every statement of the session, named or not, so it is given only to these connections (a
 * startup option; nothing else runs on them), never to the shared pool, whose other queries keep
 * their custom plans. The connections are the data source's own settings otherwise (role,
 * `statement_timeout`, the party setting, ResilientPgClient), at most `max` of them (one per
 * batch in flight suffices), closed when idle and never holding the process open.
 *
 * Not on the embedded server: its client connections share one session, where the setting would
 * reach every query (the shared pool is used there, as before).
 */
export class GenericPlanPool implements ConnectionSource {
  private pool: Pool | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly max: number,
  ) {}

  async connect(): Promise<[PgClient, (error?: Error) => void]> {
    this.pool ??= this.create();
    const client = await this.pool.connect();
    return [client as unknown as PgClient, (error?: Error) => client.release(error)];
  }

  /** Closes the connections (at shutdown, and when the benchmark recycles its pools); the next connect opens new ones. */
  async end(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (pool) await pool.end();
  }

  private create(): Pool {
    const driver = this.dataSource.driver as PostgresDriver;
    const o = driver.options as PostgresConnectionOptions;
    const extra = (o.extra ?? {}) as PoolConfig & { options?: string };
    const PoolClass = (driver.postgres as { Pool: typeof Pool }).Pool;
    const pool = new PoolClass({
      connectionString: o.url,
      host: o.host,
      port: o.port,
      user: o.username,
      password: o.password as string | undefined,
      database: o.database,
      ...extra,
      max: this.max,
      allowExitOnIdle: true,
      options: [extra.options, GENERIC_PLAN_OPTION].filter(Boolean).join(' '),
    });
    // An idle connection whose server process goes away emits 'error' on the pool.
    pool.on('error', () => undefined);
    return pool;
  }
}

/** The data source's own pool as a ConnectionSource. */
export function sharedPool(dataSource: DataSource): ConnectionSource {
  return { connect: async () => (await (dataSource.driver as PostgresDriver).obtainMasterConnection()) as [PgClient, (error?: Error) => void] };
}

/**
 * Runs `work` on a pooled connection taken aside (outside TypeORM's query runners), with queries
 * whose text is `statement.text` run as that named prepared statement.
 *
 * While the connection is held it has an 'error' listener: the pool listens only to idle
 * connections, and a connection whose server process is terminated emits 'error' — with nobody
 * listening, that would end the process. It is handed back with the error (`release(error)`, so
 * the pool discards it instead of lending it again) when it emitted one, or when `work` failed
 * other than by an error the server answered (a refusal, a deadlock: the connection is sound) or
 * by FastPathDeclined.
 */
export async function withPooledConnection<T>(
  source: DataSource | ConnectionSource,
  statement: NamedStatement,
  work: (q: Querier) => Promise<T>,
): Promise<T> {
  const [client, release] = await (source instanceof DataSource || !('connect' in source) ? sharedPool(source as DataSource) : source).connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken ??= error;
  };
  client.on('error', onError);
  try {
    return await work(preparedQuerier(client, statement));
  } catch (error) {
    if (!leavesConnectionSound(error)) broken ??= error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // The pool puts its own listener back on release (pg-pool's idle listener), so ours can go.
    client.off('error', onError);
    release(broken);
  }
}

/**
 * An error the server answered a query with (the connection is ready for the next one), or the
 * fast path declining on its rows. A FATAL answer (e.g. 57P01, the server process terminated)
 * ends the session, so it does not count.
 */
function leavesConnectionSound(error: unknown): boolean {
  if (error instanceof FastPathDeclined) return true;
  if (!(error instanceof QueryFailedError) || !(error.driverError instanceof DatabaseError)) return false;
  const severity = error.driverError.severity;
  return severity !== 'FATAL' && severity !== 'PANIC';
}

/** Connections of the embedded server on which the statement name is already taken (see preparedQuerier). */
const unpreparable = new WeakSet<PgClient>();

/**
 * A querier on one pooled connection that runs `statement` as a named prepared statement (planning
 * the fast statement is ~0.5 ms, a fifth of a lone post). Used only for lone entries, whose arrays
 * are always tiny, so a generic plan is as good as a custom one. Errors are wrapped as TypeORM's
 * QueryFailedError, like the other queries'
 * (the unnamed retry's too, so a refusal there is recognised as one).
 */
export function preparedQuerier(client: PgClient, statement: NamedStatement): Querier {
  const run = async (config: { name?: string; text: string; values?: unknown[] }) => {
    try {
      return (await client.query(config)).rows;
    } catch (error) {
      throw new QueryFailedError(config.text, config.values, error as Error);
    }
  };
  return async (sql, params) => {
    const named = sql === statement.text && !unpreparable.has(client);
    try {
      return await run({ name: named ? statement.name : undefined, text: sql, values: params });
    } catch (error) {
      // The embedded server (PGlite) runs every client connection on one session, so a statement
      // prepared through one connection "already exists" for the next: use it unnamed there.
      if (named && ((error as QueryFailedError).driverError as { code?: string }).code === '42P05') {
        unpreparable.add(client);
        return run({ text: sql, values: params });
      }
      throw error;
    }
  };
}
