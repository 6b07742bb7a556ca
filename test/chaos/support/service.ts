import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join, resolve } from 'node:path';
import { rawRequest, RawResponse } from '../../support/raw-http';
import { anyFreePort, chaosDir, rememberPid, waitFor } from './processes';

export const CHAOS_ADMIN_TOKEN = 'chaos-admin-token-0123456789abcdef';
/**
 * The build under test: this checkout's dist/ by default; CHAOS_SERVICE_DIR points at another
 * checkout's compiled tree (e.g. an older commit, to see what the battery finds there).
 */
const ROOT = process.env.CHAOS_SERVICE_DIR ? resolve(process.env.CHAOS_SERVICE_DIR) : resolve(__dirname, '../../..');
export const SERVICE_ENTRY = join(ROOT, 'dist/src/main.js');

export interface ServiceOptions {
  databaseUrl: string;
  redisUrl?: string | null;
  env?: Record<string, string>;
}

/**
 * The service as a child process (`node dist/src/main.js`, compiled once by the battery's global
 * setup), so a test can SIGKILL it and start it again exactly as an operator's supervisor would.
 * Output goes to a log file; the test fails on any unplanned exit and on any `unhandledRejection`
 * or `uncaughtException` line (src/main.ts writes them).
 */
export class ServiceProcess {
  private child: ChildProcess | null = null;
  private expectingExit = false;
  /** Exits the test did not cause: `code/signal` strings. */
  readonly unplannedExits: string[] = [];
  readonly logFile: string;
  private tail = '';
  readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  port = 0;
  starts = 0;

  constructor(readonly options: ServiceOptions) {
    mkdirSync(chaosDir(), { recursive: true });
    this.logFile = join(mkdtempSync(join(chaosDir(), 'service-')), 'service.log');
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process (on the same port as before after a kill) and waits for /health to answer. */
  async start(timeoutMs = 60_000): Promise<number> {
    if (!existsSync(SERVICE_ENTRY)) throw new Error(`${SERVICE_ENTRY} is missing: the chaos global setup compiles it`);
    if (!this.port) this.port = await anyFreePort();
    const started = Date.now();
    const child = spawn(process.execPath, [SERVICE_ENTRY], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        PORT: String(this.port),
        CHAOS_SERVICE_PORT: String(this.port),
        DATABASE_URL: this.options.databaseUrl,
        REDIS_URL: this.options.redisUrl ?? '',
        BOOTSTRAP_ADMIN_TOKEN: CHAOS_ADMIN_TOKEN,
        LOG_LEVEL: 'warn',
        HEARTBEAT_SECONDS: '0',
        QUARTER_CHECK_SECONDS: '0',
        ...this.options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    rememberPid(child.pid, `CHAOS_SERVICE_PORT=${this.port}`);
    this.child = child;
    this.expectingExit = false;
    this.starts += 1;
    const capture = (d: Buffer) => {
      const text = d.toString();
      appendFileSync(this.logFile, text);
      this.tail = (this.tail + text).slice(-200_000);
      if (/"event":"(unhandledRejection|uncaughtException)"/.test(text)) this.processErrors.push(text.slice(0, 2000));
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    child.on('exit', (code, signal) => {
      if (!this.expectingExit) this.unplannedExits.push(`exit code ${code} signal ${signal}`);
      appendFileSync(this.logFile, `\n--- process exited: code ${code} signal ${signal}\n`);
    });
    await waitFor(
      `the service on port ${this.port}`,
      async () => {
        if (!this.running) throw new Error(`the service exited during start-up; see ${this.logFile}`);
        const res = await this.request('GET', '/health', { timeoutMs: 2_000 });
        return res.status === 200;
      },
      timeoutMs,
      100,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- last output:\n${this.tail.slice(-3000)}`);
    });
    return Date.now() - started;
  }

  /** Lines the process wrote about unhandled rejections or uncaught exceptions. */
  readonly processErrors: string[] = [];

  /** SIGKILL: no shutdown hook runs, in-flight transactions are cut. Waits for the exit. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.expectingExit = true;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM and wait (graceful shutdown), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.expectingExit = true;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    this.agent.destroy();
  }

  request(
    method: string,
    path: string,
    options: { body?: unknown; raw?: Buffer | string; token?: string | null; headers?: Record<string, string | number>; timeoutMs?: number } = {},
  ): Promise<RawResponse> {
    const headers: Record<string, string | number> = { ...options.headers };
    const token = options.token === undefined ? CHAOS_ADMIN_TOKEN : options.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: Buffer | string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] = headers['Content-Type'] ?? 'application/json';
    }
    if (body !== undefined && headers['Content-Length'] === undefined && headers['Transfer-Encoding'] === undefined) {
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    return rawRequest({ port: this.port, method, path, headers, body, timeoutMs: options.timeoutMs ?? 30_000, agent: this.agent });
  }

  /** The last part of the output, for failure messages. */
  recentOutput(chars = 4000): string {
    return this.tail.slice(-chars);
  }

  /** The last `max` lines of the log that report an error (with their stack lines), for failure messages. */
  loggedErrors(max = 60): string {
    if (!existsSync(this.logFile)) return '(no log)';
    const lines = readFileSync(this.logFile, 'utf8').split('\n');
    const picked = lines.filter((l) => /error|exception|^\s+at /i.test(l) && !/SERVICE\.UNAVAILABLE|answered 503/.test(l));
    return picked.slice(-max).join('\n') || '(none)';
  }
}
