import { DatabaseError } from 'pg';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { FastPathDeclined } from './posting.errors';
import { Querier } from './posting.types';

/**
 * How the posting paths reach the database: through TypeORM's manager (a caller's transaction, or
 * a transaction of our own), or — for a lone autocommitted entry — on a pooled pg connection taken
 * aside, where the fast statement runs as a named prepared statement.
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
export async function withPooledConnection<T>(dataSource: DataSource, statement: NamedStatement, work: (q: Querier) => Promise<T>): Promise<T> {
  const [client, release] = (await (dataSource.driver as PostgresDriver).obtainMasterConnection()) as [PgClient, (error?: Error) => void];
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
