/**
 * HTTP benchmark (issue #16 goal 4): starts the service as `npm start` does (src/main.ts, in a
 * process of its own, logging at `info` to a file as in production) and loads it with autocannon
 * from this process:
 *
 * - `POST /v1/ledger/entries` (one 2-line entry per request, 10% of them on one hot floored
 *   deposit) on PostgreSQL and on the embedded database;
 * - `POST /v1/calculators/compensation` (RULES §4 example A: pure computation);
 * - `GET /v1/tokens/me`, the authenticated no-op route: authentication, routing, logging and the
 *   answer, nothing else — the yardstick for the calculator, in the same server process and run.
 *
 *   npm run bench:http
 *   BENCH_HTTP_SECONDS=10 BENCH_HTTP_CONNECTIONS=16 BENCH_HTTP_ROUNDS=2 npm run bench:http
 *   BENCH_HTTP_APPS=base:/tmp/base-worktree,current:. npm run bench:http   (code versions side by side)
 *
 * Environment: BENCH_HTTP_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ledger_bench;
 * the service migrates its `public` schema), BENCH_HTTP_TARGETS (`pg,embedded`), BENCH_HTTP_APPS
 * (`name:directory` pairs; default `current:.`), BENCH_HTTP_LOG (server log file prefix,
 * default /tmp/bench-http), BENCH_HTTP_RESET_SCHEMA=1 (drop and re-create the database's `public`
 * schema before each PostgreSQL start: needed when the apps' migrations differ — an older app
 * cannot write into a schema a newer one migrated). Rounds are interleaved: every (app, target)
 * once per round. Each line prints the 1-minute load average when it was measured.
 * Results go to docs/benchmarks.md.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { openSync, closeSync, mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { COMPENSATION_EXAMPLE_A } from '../test/support/examples';
import { resetPublicSchema } from '../test/support/reset-schema';

const SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 16);
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 1);
const DATABASE_URL = process.env.BENCH_HTTP_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ledger_bench';
const TARGETS = (process.env.BENCH_HTTP_TARGETS ?? 'pg,embedded').split(',') as ('pg' | 'embedded')[];
const APPS = (process.env.BENCH_HTTP_APPS ?? 'current:.').split(',').map((pair) => {
  const [name, dir] = pair.split(':');
  return { name, dir: resolve(dir) };
});
const LOG = process.env.BENCH_HTTP_LOG ?? '/tmp/bench-http';
const TOKEN = 'bench-http-trustee-token-0123456789';
const RESET_SCHEMA = process.env.BENCH_HTTP_RESET_SCHEMA === '1';
const PORT = 3900 + Math.floor(Math.random() * 90);

interface Server {
  child: ChildProcess;
  url: string;
}

async function startServer(dir: string, target: 'pg' | 'embedded', logFile: string): Promise<Server> {
  if (target === 'pg' && RESET_SCHEMA) await resetPublicSchema(DATABASE_URL);
  const out = openSync(logFile, 'w');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(PORT),
    LOG_LEVEL: 'info',
    BOOTSTRAP_ADMIN_TOKEN: TOKEN,
    HEARTBEAT_SECONDS: '0',
    // One token at 16 connections would meet the per-token rate limit (600/min by default) within
    // seconds; the bench measures the routes, not the throttle's 429s.
    RATE_LIMIT_PER_MINUTE: '0',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-http-')),
    DATABASE_URL: target === 'pg' ? DATABASE_URL : '',
    REDIS_URL: '',
  };
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], { cwd: dir, env, stdio: ['ignore', out, out] });
  closeSync(out);
  const url = `http://127.0.0.1:${PORT}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}); see ${logFile}`);
    try {
      if ((await fetch(`${url}/health`)).status < 500) return { child, url };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the service did not start; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stopServer(s: Server): Promise<void> {
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (s.child.exitCode === null) s.child.kill('SIGKILL');
}

async function call(s: Server, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${await res.text()}`);
  return res.json();
}

/** A book of 50 accounts (10 floored deposits, funded; 40 payables), and 500 entry bodies over them. */
async function openBook(s: Server): Promise<string[]> {
  const book = `hb${Math.random().toString(36).slice(2, 8)}`;
  await call(s, 'POST', '/v1/ledger/books', { code: book, name: 'http bench' });
  const deposits: string[] = [];
  const others: string[] = [];
  for (let i = 0; i < 10; i++) {
    const code = `${book}:deposit:BANK${i}`;
    await call(s, 'POST', '/v1/ledger/accounts', { book, code, name: code, type: 'asset', floor: '0.00' });
    deposits.push(code);
  }
  await call(s, 'POST', '/v1/ledger/accounts', { book, code: `${book}:capital`, name: 'capital', type: 'equity' });
  for (let i = 0; i < 40; i++) {
    const code = `${book}:payable:P${i}`;
    await call(s, 'POST', '/v1/ledger/accounts', { book, code, name: code, type: 'liability' });
    others.push(code);
  }
  for (const code of deposits) {
    await call(s, 'POST', '/v1/ledger/entries', {
      book,
      effectiveDate: '2025-01-02',
      memo: 'funding',
      lines: [
        { account: code, debit: '1000000000.00' },
        { account: `${book}:capital`, credit: '1000000000.00' },
      ],
    });
  }
  const all = [...deposits, ...others];
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: 500 }, (_, n) => {
    const a = rnd() < 0.1 ? deposits[0] : all[Math.floor(rnd() * all.length)];
    let b = all[Math.floor(rnd() * all.length)];
    while (b === a) b = all[Math.floor(rnd() * all.length)];
    const amount = (1 + Math.floor(rnd() * 100000)) / 100;
    return JSON.stringify({
      book,
      effectiveDate: '2025-06-30',
      memo: `http bench ${n}`,
      lines: [
        { account: b, debit: amount.toFixed(2) },
        { account: a, credit: amount.toFixed(2) },
      ],
    });
  });
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(s: Server, method: 'GET' | 'POST', path: string, bodies: string[] | null, duration = SECONDS): Promise<Load> {
  let i = 0;
  const result = await autocannon({
    url: `${s.url}${path}`,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        ...(bodies ? { setupRequest: (req: autocannon.Request) => ({ ...req, body: bodies[i++ % bodies.length] }) } : {}),
      },
    ],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

interface Row extends Load {
  app: string;
  target: string;
  route: string;
  round: number;
  load1: number;
}

async function main(): Promise<void> {
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}; load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`${CONNECTIONS} connections, ${SECONDS} s per route, ${ROUNDS} round(s); apps ${APPS.map((a) => `${a.name} (${a.dir})`).join(', ')}; targets ${TARGETS.join(', ')}`);
  const rows: Row[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const target of TARGETS) {
      for (const app of APPS) {
        const server = await startServer(app.dir, target, `${LOG}-${app.name}-${target}.log`);
        try {
          const bodies = await openBook(server);
          const measure = async (route: string, method: 'GET' | 'POST', path: string, b: string[] | null) => {
            await load(server, method, path, b, 2); // warm-up, discarded
            const r = await load(server, method, path, b);
            const load1 = loadavg()[0];
            rows.push({ app: app.name, target, route, round, load1, ...r });
            console.log(`round ${round} ${app.name} ${target} ${route}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}, load ${load1.toFixed(1)}`);
          };
          if (target === 'pg') {
            await measure('GET /v1/tokens/me (authenticated no-op)', 'GET', '/v1/tokens/me', null);
            await measure('POST /v1/calculators/compensation', 'POST', '/v1/calculators/compensation', [JSON.stringify(COMPENSATION_EXAMPLE_A)]);
          }
          await measure('POST /v1/ledger/entries', 'POST', '/v1/ledger/entries', bodies);
        } finally {
          await stopServer(server);
        }
      }
    }
  }
  console.log(`\nload average at end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log('\n| round | app | database | route | req/s | p50 ms | p99 ms | non-2xx | load |\n|---|---|---|---|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.round} | ${r.app} | ${r.target} | ${r.route} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.non2xx + r.errors} | ${r.load1.toFixed(1)} |`);
  for (const app of APPS) {
    for (let round = 1; round <= ROUNDS; round++) {
      const noop = rows.find((r) => r.app === app.name && r.round === round && r.route.startsWith('GET'));
      const calc = rows.find((r) => r.app === app.name && r.round === round && r.route.includes('compensation'));
      if (noop && calc) console.log(`${app.name} round ${round}: calculator / no-op = ${((calc.rps / noop.rps) * 100).toFixed(0)}%, calculator p99 ${calc.p99} ms`);
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
