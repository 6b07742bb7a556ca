import { spawn, SpawnOptions } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Bookkeeping shared by the fault battery's helpers: free ports in our own ranges, commands run
 * to completion, and a list of every long-running process we started so the global teardown can
 * stop exactly those (by pid) if a spec died before its own afterAll.
 */
/** This run's folder (set by the global setup; read when needed, not at import time). */
export function chaosDir(): string {
  return join(tmpdir(), `rf-chaos-${process.env.CHAOS_RUN_ID ?? 'local'}`);
}
const pidFile = () => join(chaosDir(), 'pids');

/**
 * Records a process we started. `marker` is text found in its /proc command line or environment
 * (a data folder, a port), so a leftover pid that the system has since given to another process
 * is never signalled.
 */
export function rememberPid(pid: number | undefined, marker: string): void {
  if (!pid) return;
  mkdirSync(chaosDir(), { recursive: true });
  appendFileSync(pidFile(), `${pid}\t${marker}\n`);
}

export function rememberedPids(): { pid: number; marker: string }[] {
  if (!existsSync(pidFile())) return [];
  return readFileSync(pidFile(), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => ({ pid: Number(l.split('\t')[0]), marker: l.split('\t')[1] ?? '' }));
}

/** True when `pid` is alive and still the process we started (its marker is in /proc). */
export function isOurs(pid: number, marker: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    let environ = '';
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'utf8').replace(/\0/g, ' ');
    } catch {
      // not readable: rely on the command line
    }
    return marker !== '' && (cmdline.includes(marker) || environ.includes(marker));
  } catch {
    return false;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port in [from, to], tried in a random order. */
export async function freePort(from: number, to: number): Promise<number> {
  const candidates = Array.from({ length: to - from + 1 }, (_, i) => from + i).sort(() => Math.random() - 0.5);
  for (const port of candidates) if (await portIsFree(port)) return port;
  throw new Error(`no free port in ${from}–${to}`);
}

/** Any free port (the service's own HTTP port). */
export function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; rejects on a non-zero exit unless `allowFailure`. */
export function run(command: string, args: string[], options: SpawnOptions & { allowFailure?: boolean; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0 && !options.allowFailure) reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr || stdout}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it returns true; rejects after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000, everyMs = 100): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      if (await check()) return Date.now() - started;
    } catch {
      // not yet
    }
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
