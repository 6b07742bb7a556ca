import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, rememberPid, run, waitFor } from './processes';

/**
 * A private redis-server for fault tests, on its own port in 56400–56499, without persistence
 * (`--save "" --appendonly no`: a restart loses everything, like FLUSHALL). Started as our child
 * and stopped by its pid — never the shared Redis.
 */
export class PrivateRedis {
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  /** `ports`: the range to take a free port from (the fault battery's own by default; the cluster tests give theirs). */
  static async start(ports: [number, number] = [56400, 56499]): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(ports[0], ports[1]), mkdtempSync(join(tmpdir(), 'rf-chaos-redis-')));
    await redis.startServer();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async startServer(): Promise<void> {
    const child = spawn(
      process.env.REDIS_SERVER ?? 'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--logfile', join(this.dir, 'redis.log')],
      { stdio: 'ignore' },
    );
    rememberPid(child.pid, `127.0.0.1:${this.port}`);
    this.child = child;
    await waitFor(`redis on ${this.port}`, async () => (await this.cli(['PING'])).trim() === 'PONG', 15_000);
  }

  /** Stops the server (SIGTERM; SIGKILL after 5 s) and waits for it to exit. */
  async stopServer(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    this.child = null;
  }

  async cli(args: string[]): Promise<string> {
    return (await run(process.env.REDIS_CLI ?? 'redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), ...args], { timeoutMs: 5_000 })).stdout;
  }

  async flushAll(): Promise<void> {
    await this.cli(['FLUSHALL']);
  }

  async destroy(): Promise<void> {
    await this.stopServer();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
