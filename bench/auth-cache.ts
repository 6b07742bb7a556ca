/**
 * Benchmark (issue #15 item 3): what the token cache saves on a calculator request. The same
 * `POST /v1/calculators/compensation` over HTTP (keep-alive, one client, sequential) against the
 * service with TOKEN_CACHE_SECONDS=0 (every request looks its token up in the database: once
 * since issue 16, at the edge before the body, the guard reusing it; the code before the cache,
 * and this code until issue 16, looked it up twice, at the edge and in the guard) and with the
 * default 5 s; the configurations alternate, RUNS times each, in one process.
 * Reported per request: the service process's CPU time (user + system, from process.cpuUsage,
 * client included — the same client work in both) and latency p50/p95.
 *
 *   npm run bench:auth-cache                        # postgres://postgres@127.0.0.1:5432/reserve_bench
 *   BENCH_DATABASE_URL=postgres://… BENCH_REQUESTS=3000 BENCH_RUNS=3 npm run bench:auth-cache
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { ensureDatabase } from './support/database';
import { createApp } from '../src/bootstrap';
import { COMPENSATION_EXAMPLE_A } from '../test/support/examples';

const DB_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/reserve_bench';
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TOKEN = `bench-token-${randomUUID()}`;
const BODY = JSON.stringify(COMPENSATION_EXAMPLE_A);

function post(agent: http.Agent, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request(
      { agent, port, host: '127.0.0.1', method: 'POST', path: '/v1/calculators/compensation', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(BODY) } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - started) / 1e6) : reject(new Error(`status ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(BODY);
  });
}

async function measure(tokenCacheSeconds: number): Promise<{ cpuMs: number; p50: number; p95: number }> {
  const app = await createApp(
    {
      config: { databaseUrl: DB_URL, redisUrl: null, dataDir: ':memory:', bootstrapAdminToken: TOKEN, logLevel: 'silent', heartbeatSeconds: 0, tokenCacheSeconds, rateLimitPerMinute: 0 },
      jobsPrefix: `bench-${randomUUID().slice(0, 8)}`,
    },
    false,
  );
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < 200; i++) await post(agent, port); // warm-up
    const latencies: number[] = [];
    const cpu = process.cpuUsage();
    for (let i = 0; i < REQUESTS; i++) latencies.push(await post(agent, port));
    const used = process.cpuUsage(cpu);
    latencies.sort((a, b) => a - b);
    return { cpuMs: (used.user + used.system) / 1000 / REQUESTS, p50: latencies[Math.floor(REQUESTS * 0.5)], p95: latencies[Math.floor(REQUESTS * 0.95)] };
  } finally {
    agent.destroy();
    await app.close();
  }
}

async function main(): Promise<void> {
  await ensureDatabase(DB_URL);
  const results: Record<string, { cpuMs: number; p50: number; p95: number }[]> = { 'no cache (0 s)': [], 'cache (5 s)': [] };
  for (let run = 0; run < RUNS; run++) {
    results['no cache (0 s)'].push(await measure(0));
    results['cache (5 s)'].push(await measure(5));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`${REQUESTS} requests × ${RUNS} runs per configuration; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const [name, rs] of Object.entries(results)) {
    console.log(
      `${name.padEnd(16)} CPU/request median ${median(rs.map((r) => r.cpuMs)).toFixed(3)} ms (runs: ${rs.map((r) => r.cpuMs.toFixed(3)).join(', ')}); ` +
        `latency p50 ${median(rs.map((r) => r.p50)).toFixed(2)} ms, p95 ${median(rs.map((r) => r.p95)).toFixed(2)} ms`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
