/**
 * Errors that mean "the database (or the queue) cannot serve this request right now", as opposed
 * to a bad request or a bug. During an outage they are answered `503` with `Retry-After` and a
 * stable code (docs/reliability.md), never `500`: the request did not fail because of what it
 * asked, and asking again later is the right thing to do.
 *
 * Pure: looks only at the error's fields (SQLSTATE `code`, Node's `code`/`errno`, the `pg`
 * driver's messages), following `driverError` (TypeORM's QueryFailedError) and `cause`.
 */

/** SQLSTATEs meaning the server went away, is starting or stopping, or is out of resources. */
function isUnavailableSqlState(code: string): boolean {
  return (
    code.startsWith('08') || // connection exception (08000, 08003, 08006, 08001, 08004, 08P01)
    code === '57P01' || // admin_shutdown: terminated by pg_terminate_backend or a fast shutdown
    code === '57P02' || // crash_shutdown
    code === '57P03' || // cannot_connect_now: starting up, shutting down, in recovery
    code === '57P05' || // idle_session_timeout
    code === '53300' || // too_many_connections
    code === '53100' || // disk_full
    code === '53200' // out_of_memory
  );
}

/** Node socket errors on the way to the server. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** Messages of the `pg` driver and pool (and TypeORM) that carry no code. */
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i, // "… unexpectedly", "… due to connection timeout"
  /timeout exceeded when trying to connect/i, // the pool waited connectionTimeoutMillis
  /is not queryable/i, // a client whose socket already died
  /Cannot use a pool after calling end/i,
  /Client was closed/i,
  /Connection ended unexpectedly/i,
  /Driver not Connected/i,
  /Received unexpected \w+ message from backend/i, // a reply cut off by a terminated backend
  /Query read timeout/i,
];

/**
 * TypeORM releases a query runner when its pg client emits `'error'` (a terminated backend, a
 * dropped socket); whatever still holds that transaction's EntityManager (a savepoint rollback,
 * the request transaction's commit) then gets one of these instead of the connection error.
 */
const RELEASED_RUNNER_ERRORS = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError']);

export type UnavailableReason = 'database' | 'timeout';

/**
 * Why the request could not be served, or null when the error is something else. `timeout` is a
 * statement cancelled by `statement_timeout` (57014): the server is up but the request took too
 * long; it is also answered 503, with its own code.
 */
export function unavailableReason(error: unknown): UnavailableReason | null {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    const code = typeof e.code === 'string' ? e.code : '';
    if (code === '57014') return 'timeout';
    if (/^[0-9A-Z]{5}$/.test(code) && isUnavailableSqlState(code)) return 'database';
    if (NETWORK_CODES.has(code)) return 'database';
    if (current instanceof Error && RELEASED_RUNNER_ERRORS.has(current.name)) return 'database';
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.some((m) => m.test(e.message as string))) return 'database';
    current = e.driverError ?? e.cause;
  }
  return null;
}
