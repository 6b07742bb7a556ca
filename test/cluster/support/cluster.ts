import { PrivateCluster } from '../../chaos/support/postgres-cluster';
import { freePort, waitFor } from '../../chaos/support/processes';
import { PrivateRedis } from '../../chaos/support/redis-server';
import { ServiceProcess } from '../../chaos/support/service';

/** The cluster tests' own port ranges (never the fault battery's 55400–55499 or the shared servers). */
export const PG_PORTS: [number, number] = [56400, 56420];
export const REDIS_PORTS: [number, number] = [56430, 56440];
export const SERVICE_PORTS: [number, number] = [56450, 56480];

export interface ClusterOptions {
  database: string;
  instances: number;
  /** Environment for every instance (on top of the fault battery's quiet defaults). */
  env?: Record<string, string>;
}

/**
 * One private PostgreSQL primary, its streaming replica (pg_basebackup), one private
 * redis-server and `instances` service processes sharing them — each instance with
 * DATABASE_URL = the primary, DATABASE_READ_URL = the replica, REDIS_URL = the redis-server.
 * Started once per spec file and reused by its tests; `stop()` stops everything by pid.
 */
export class TestCluster {
  private constructor(
    readonly primary: PrivateCluster,
    readonly replica: PrivateCluster,
    readonly redis: PrivateRedis,
    readonly services: ServiceProcess[],
    readonly database: string,
  ) {}

  static async start(options: ClusterOptions): Promise<TestCluster> {
    const primary = await PrivateCluster.start(PG_PORTS);
    const redis = await PrivateRedis.start(REDIS_PORTS);
    const databaseUrl = await primary.createDatabase(options.database);
    const replica = await PrivateCluster.replicaOf(primary, PG_PORTS);
    const services: ServiceProcess[] = [];
    for (let i = 0; i < options.instances; i++) {
      const s = new ServiceProcess({
        databaseUrl,
        redisUrl: redis.url,
        env: { DATABASE_READ_URL: replica.url(options.database), ...options.env },
      });
      // A free port no other instance of this cluster was given (none listens yet).
      do s.port = await freePort(SERVICE_PORTS[0], SERVICE_PORTS[1]);
      while (services.some((o) => o.port === s.port));
      services.push(s);
    }
    const cluster = new TestCluster(primary, replica, redis, services, options.database);
    try {
      // The first instance runs the migrations; the others then start together.
      await services[0].start(120_000);
      await Promise.all(services.slice(1).map((s) => s.start(120_000)));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** SQL on the primary. */
  query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.primary.query<T>(this.database, sql, params);
  }

  /** SQL on the replica. */
  replicaQuery<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.replica.query<T>(this.database, sql, params);
  }

  /** Waits until the replica has replayed everything the primary has written so far. */
  async replicaCaughtUp(): Promise<void> {
    const [{ lsn }] = await this.primary.query<{ lsn: string }>('postgres', 'SELECT pg_current_wal_lsn()::text AS lsn');
    await waitFor(
      'the replica to replay the primary',
      async () => (await this.replica.query<{ ok: boolean }>('postgres', `SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok`, [lsn]))[0].ok,
      30_000,
      50,
    );
  }

  /** Stops every instance, then the servers; each by its own pid. */
  async stop(): Promise<void> {
    for (const s of this.services) await s.stop().catch(() => undefined);
    await this.redis.destroy().catch(() => undefined);
    await this.replica.destroy().catch(() => undefined);
    await this.primary.destroy().catch(() => undefined);
  }
}
