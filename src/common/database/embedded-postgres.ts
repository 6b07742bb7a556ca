import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * The embedded default (docs/database.md): PGlite — PostgreSQL compiled to WebAssembly, in this
 * process — behind `@electric-sql/pglite-socket`, which speaks the PostgreSQL wire protocol on a
 * loopback port. TypeORM then talks to it through the ordinary `pg` driver, exactly as it talks to
 * a real server: one driver, one migration set, one code path. The socket server runs one query
 * at a time and keeps a transaction's queries together, so concurrent transactions are serialised
 * (the strictest isolation there is), which our floor and idempotency logic is correct under.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly url: string,
    readonly dataDir: string,
  ) {}

  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    const inMemory = dataDir === ':memory:';
    const location = inMemory ? 'memory://' : resolve(dataDir);
    if (!inMemory) mkdirSync(location, { recursive: true });
    const db = await PGlite.create(location);
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
    await server.start();
    const url = `postgres://postgres@${server.getServerConn()}/postgres`;
    return new EmbeddedPostgres(db, server, url, location);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
  }
}
