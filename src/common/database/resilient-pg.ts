import { Logger } from '@nestjs/common';
import { Client, ClientConfig } from 'pg';

/**
 * A `pg` client that can never crash the process when its connection drops (issue 10 item 3).
 *
 * A `pg` client emits `'error'` when its socket dies or the server terminates its backend
 * (`pg_terminate_backend`, a fast or immediate shutdown, a restart). Node turns an `'error'` event
 * without a listener into an uncaught exception, and the process exits. `pg-pool` listens only
 * while a client is idle in the pool; TypeORM's query runners listen while they hold one; but a
 * client taken aside with `driver.obtainMasterConnection()` has no listener at all between being
 * checked out and released — one terminated backend then kills the service.
 *
 * This subclass listens from construction to the end, for every client the pool ever creates
 * (the pool is given it as its `Client` class). The listener only logs (at most one line a
 * second, with a count): the failing query is rejected with the error anyway, the client is
 * marked unusable by `pg` and the pool discards it when it is released (`_queryable` is false).
 */
export class ResilientPgClient extends Client {
  private static readonly logger = new Logger('Database');
  private static dropped = 0;
  private static lastLog = 0;

  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('error', (error: Error) => ResilientPgClient.report(error));
  }

  private static report(error: Error): void {
    ResilientPgClient.dropped += 1;
    const now = Date.now();
    if (now - ResilientPgClient.lastLog < 1000) return;
    ResilientPgClient.logger.warn(
      `${ResilientPgClient.dropped} database connection(s) lost since the last report (latest: ${error.message}); the pool replaces them`,
    );
    ResilientPgClient.lastLog = now;
    ResilientPgClient.dropped = 0;
  }
}
