import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, rememberPid, run } from './processes';

/** PostgreSQL's server binaries: PG_BIN, else the newest /usr/lib/postgresql/<version>/bin. */
function pgBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length) throw new Error('PostgreSQL server binaries not found: set PG_BIN to the directory holding initdb and pg_ctl');
  return join(root, versions[0], 'bin');
}

/**
 * A private PostgreSQL cluster for fault tests: `initdb` in a temporary folder, its own port in
 * 55400–55499, trust authentication on 127.0.0.1 only, stopped and started with `pg_ctl` so the
 * tests can crash it (`-m immediate`), restart it or terminate its backends. Never the shared
 * server. As root, the server runs as the `postgres` OS user (PostgreSQL refuses root) in a
 * folder that user owns.
 */
export class PrivateCluster {
  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly bin: string,
    private readonly asUser: string | null,
  ) {}

  /** `ports`: the range to take a free port from (the fault battery's own by default; the cluster tests give theirs). */
  static async start(ports: [number, number] = [55400, 55499]): Promise<PrivateCluster> {
    const cluster = await PrivateCluster.prepare(ports);
    await cluster.exec('initdb', ['-D', cluster.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-instructions']);
    await cluster.startServer();
    return cluster;
  }

  /**
   * A streaming replica of `primary` (hot standby): `pg_basebackup -R -X stream` into a folder of
   * its own, started on its own port. It replays the primary's WAL as it comes and answers
   * read-only queries. hot_standby_feedback keeps a long read on it from being cancelled by replay.
   */
  static async replicaOf(primary: PrivateCluster, ports: [number, number]): Promise<PrivateCluster> {
    const replica = await PrivateCluster.prepare(ports);
    await replica.exec('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', replica.dataDir, '-R', '-X', 'stream', '-c', 'fast']);
    replica.extraOptions = ['-c hot_standby=on', '-c hot_standby_feedback=on'];
    await replica.startServer();
    return replica;
  }

  private static async prepare(ports: [number, number]): Promise<PrivateCluster> {
    const bin = pgBin();
    const root = userInfo().uid === 0;
    const dir = mkdtempSync(join(tmpdir(), 'rf-chaos-pg-'));
    if (root) {
      const pg = await run('id', ['-u', 'postgres']);
      const gid = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(pg.stdout.trim()), Number(gid.stdout.trim()));
    }
    const port = await freePort(ports[0], ports[1]);
    return new PrivateCluster(port, dir, bin, root ? 'postgres' : null);
  }

  /** Server options beyond the common ones (a replica's). */
  private extraOptions: string[] = [];

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  get logFile(): string {
    return join(this.dir, 'postgres.log');
  }

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  private exec(tool: string, args: string[], allowFailure = false) {
    const path = join(this.bin, tool);
    return this.asUser
      ? run('runuser', ['-u', this.asUser, '--', path, ...args], { allowFailure })
      : run(path, args, { allowFailure });
  }

  private pgCtl(args: string[], allowFailure = false) {
    return this.exec('pg_ctl', ['-D', this.dataDir, ...args], allowFailure);
  }

  /**
   * Starts the server (waits until it accepts connections). fsync is off: these tests crash the
   * server process, never the machine, and every acknowledged commit is still written to the
   * operating system before the answer (synchronous_commit stays on).
   */
  async startServer(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.dir}`,
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
      '-c log_min_messages=warning',
      ...this.extraOptions,
    ].join(' ');
    await this.pgCtl(['-l', this.logFile, '-o', options, '-w', '-t', '60', 'start']);
    rememberPid(this.postmasterPid(), this.dataDir);
  }

  /** The postmaster's pid while it runs. */
  postmasterPid(): number | undefined {
    const file = join(this.dataDir, 'postmaster.pid');
    if (!existsSync(file)) return undefined;
    return Number(readFileSync(file, 'utf8').split('\n')[0]);
  }

  /** `pg_ctl stop -m immediate`: every backend dies at once, crash recovery on the next start. */
  async stopImmediate(): Promise<void> {
    await this.pgCtl(['-m', 'immediate', '-w', 'stop']);
  }

  /** `pg_ctl restart -m fast`: sessions are terminated (57P01), the server stops cleanly and starts. */
  async restartFast(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.dir}`,
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
      '-c log_min_messages=warning',
    ].join(' ');
    await this.pgCtl(['-l', this.logFile, '-o', options, '-m', 'fast', '-w', '-t', '60', 'restart']);
    rememberPid(this.postmasterPid(), this.dataDir);
  }

  /** Runs SQL as the superuser on `database` over a short-lived connection. */
  async query<T = Record<string, unknown>>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.url(database) });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** A connection of the test's own to `database` (the caller ends it). */
  async connect(database: string): Promise<Client> {
    const client = new Client({ connectionString: this.url(database) });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  async createDatabase(name: string): Promise<string> {
    await this.query('postgres', `CREATE DATABASE ${name}`);
    return this.url(name);
  }

  /** Terminates every backend connected to `database` (except the one asking); returns how many. */
  async terminateAll(database: string): Promise<number> {
    const rows = await this.query<{ ok: boolean }>(
      'postgres',
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [database],
    );
    return rows.filter((r) => r.ok).length;
  }

  /** Stops the server (if running) and removes its folder. */
  async destroy(): Promise<void> {
    if (this.postmasterPid()) await this.pgCtl(['-m', 'immediate', '-w', 'stop'], true);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
