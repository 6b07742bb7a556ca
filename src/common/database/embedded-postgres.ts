import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Logger } from '@nestjs/common';
import { DataDirLock } from './data-dir-lock';

/**
 * The embedded default (docs/database.md): PGlite — PostgreSQL compiled to WebAssembly, in this
 * process — behind `@electric-sql/pglite-socket`, which speaks the PostgreSQL wire protocol on a
 * loopback port. TypeORM then talks to it through the ordinary `pg` driver, exactly as it talks to
 * a real server: one driver, one migration set, one code path. The socket server runs one query
 * at a time and keeps a transaction's queries together, so concurrent transactions are serialised
 * (the strictest isolation there is), which our floor and idempotency logic is correct under.
 */
/**
 * An in-memory database may start from a data directory instead of running initdb: a tarball of
 * one whose migrations have run (`dump()`). The test suite's global set-up writes one per run and
 * hands it to every test app (test/support/embedded-environment.js, docs/database.md); nothing in
 * the service sets it. A data directory on disk is never loaded over.
 */
let inMemoryTemplate: Blob | null = null;

/** Later in-memory databases of this process start from this data directory (null: initdb). */
export function useInMemoryTemplate(template: Blob | null): void {
  inMemoryTemplate = template;
}

export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly url: string,
    readonly dataDir: string,
    private readonly lock: DataDirLock | null,
  ) {}

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    const inMemory = dataDir === ':memory:';
    const location = inMemory ? 'memory://' : resolve(dataDir);
    if (!inMemory) mkdirSync(location, { recursive: true });
    // One process per data directory (data-dir-lock.ts): a second one is refused here, before it reads a file.
    const lock = inMemory ? null : DataDirLock.acquire(location);
    const logger = new Logger('EmbeddedDatabase');
    if (lock?.tookOverFrom) logger.warn(`took over the lock of ${location} from pid ${lock.tookOverFrom.pid}, which no longer runs`);
    let db: PGlite;
    try {
      db = await PGlite.create(location, inMemory && inMemoryTemplate ? { loadDataDir: inMemoryTemplate } : {});
    } catch (error) {
      lock?.release();
      throw error;
    }
    keepExtendedQueriesTogether(db);
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
    // A client connection that fails (reset, closed mid-message) is reported here and dropped
    // by the socket server; it never reaches the process as an unhandled 'error' (issue 10
    // item 3). Sockets have their own 'error' listener inside pglite-socket.
    server.addEventListener('error', (event) => {
      const detail = (event as CustomEvent<unknown>).detail;
      logger.warn(`embedded database connection error: ${detail instanceof Error ? detail.message : String(detail)}`);
    });
    await server.start();
    const url = `postgres://postgres@${server.getServerConn()}/postgres`;
    return new EmbeddedPostgres(db, server, url, location, lock);
  }

  /** The data directory as an uncompressed tarball, checkpointed first so a copy starts without replaying WAL. */
  async dump(): Promise<Uint8Array> {
    await this.db.exec('CHECKPOINT');
    const tarball = await this.db.dumpDataDir('none');
    return new Uint8Array(await tarball.arrayBuffer());
  }

  async stop(): Promise<void> {
    try {
      await this.server.stop();
      await this.db.close();
    } finally {
      this.lock?.release();
    }
  }
}

/**
 * pglite-socket queues each protocol message on its own and only keeps one connection's messages
 * together inside a transaction. A parameterised query outside a transaction is several messages
 * (Parse, Bind, Describe, Execute, Sync), so two concurrent autocommit queries could interleave
 * ("bind message supplies 5 parameters, but prepared statement requires 1", "portal does not
 * exist"). Reporting "in a transaction" from the first message of such a sequence until its Sync
 * makes the queue serve that connection alone until the query is complete.
 */
function keepExtendedQueriesTogether(db: PGlite): void {
  let midQuery = false;
  const execProtocolRawStream = db.execProtocolRawStream.bind(db);
  const isInTransaction = db.isInTransaction.bind(db);
  db.execProtocolRawStream = (message, options) => {
    const type = String.fromCharCode(message[0]);
    // 'S' Sync and 'Q' simple Query end a unit of work; 'X' Terminate ends the connection.
    midQuery = !(type === 'S' || type === 'Q' || type === 'X');
    return execProtocolRawStream(message, options);
  };
  db.isInTransaction = () => midQuery || isInTransaction();
}
