import { ResilientPgClient } from './resilient-pg';

/**
 * One connection of its own for `/health`, outside the pool (issue 10 items 5 and 7): when every
 * pooled connection is busy (a burst of whole-book reads, a slow batch), a probe queued behind
 * them would report the database down although it answers; on its own connection the probe says
 * whether the database answers, and the pool's own figures (size, idle, waiting) say how busy the
 * service is. The connection is opened on first use and again after it drops.
 */
export class DatabaseProbe {
  private client: ResilientPgClient | null = null;
  private connecting: Promise<ResilientPgClient> | null = null;
  private closed = false;

  constructor(
    private readonly url: string,
    /** Server-side limit of a probe statement (real servers only; the embedded one ignores it). */
    private readonly statementTimeoutMs: number | null,
  ) {}

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = await this.connection();
    try {
      return (await client.query(sql, params)).rows as T[];
    } catch (error) {
      if (!(error as { code?: string }).code) this.discard(client);
      throw error;
    }
  }

  private connection(): Promise<ResilientPgClient> {
    if (this.closed) return Promise.reject(new Error('the health probe is closed'));
    if (this.client) return Promise.resolve(this.client);
    if (!this.connecting) {
      this.connecting = (async () => {
        const client = new ResilientPgClient({
          connectionString: this.url,
          connectionTimeoutMillis: 2_000,
          keepAlive: true,
          application_name: 'reserve-fund health probe',
          ...(this.statementTimeoutMs ? { statement_timeout: this.statementTimeoutMs } : {}),
        });
        client.once('error', () => this.discard(client));
        client.once('end', () => this.discard(client));
        try {
          await client.connect();
        } catch (error) {
          this.discard(client);
          throw error;
        }
        this.client = client;
        return client;
      })().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private discard(client: ResilientPgClient): void {
    if (this.client === client) this.client = null;
    void client.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }
}
