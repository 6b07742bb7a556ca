/**
 * Benchmark (issue #15 item 4): what the party wall (row-level security) costs.
 *
 * 1. HTTP, in one process and one run: `GET /v1/loans/{id}` and `GET /v1/loans?limit=50` with a
 *    bank token (walled: the read runs in a transaction that sets the party, and — the bench
 *    connects as a superuser, as the embedded database does — switches to the wall role) and with
 *    a trustee token (unrestricted: no transaction, no policy), alternating, RUNS times each;
 *    latency p50/p95 and the service process's CPU per request.
 * 2. SQL, on one connection: the list query of a bank's loans as a superuser (no policy
 *    evaluated), as the SELECT-only wall role with `app.party_type = system` (the policy evaluated
 *    and passing every row: what an application role that owns nothing pays on every query of a
 *    walled table, writes included) and walled to the bank.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> npm run bench:party-wall
 *   BENCH_REQUESTS=2000 BENCH_RUNS=3 BENCH_LOANS=300
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import type { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { createApp } from '../src/bootstrap';
import { ensureDatabase } from './support/database';

const DB_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/reserve_bench';
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const LOANS = Number(process.env.BENCH_LOANS ?? 300);
const SQL_ITERATIONS = Number(process.env.BENCH_SQL_ITERATIONS ?? 3000);
const TOKEN = `bench-token-${randomUUID()}`;
const code = (prefix: string) => `${prefix}${randomUUID().replace(/-/g, '').slice(0, 8).toUpperCase()}`;

function call(agent: http.Agent, port: number, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: unknown; ms: number }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request(
      {
        agent,
        port,
        host: '127.0.0.1',
        method,
        path,
        headers: { Authorization: `Bearer ${token}`, ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as unknown) : null, ms: Number(process.hrtime.bigint() - started) / 1e6 });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function ok(p: Promise<{ status: number; json: unknown }>, what: string): Promise<Record<string, unknown>> {
  const r = await p;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json as Record<string, unknown>;
}

interface World {
  bank: string;
  bankToken: string;
  loanId: string;
}

async function seed(agent: http.Agent, port: number): Promise<World> {
  const post = (path: string, body: unknown, token = TOKEN) => ok(call(agent, port, 'POST', path, token, body), `POST ${path}`);
  const banks = [code('BA'), code('BB')];
  for (const b of banks) await post('/v1/banks', { code: b, name: `Bank ${b}` });
  const agency = code('AG');
  await post('/v1/agencies', { code: agency, name: `Agency ${agency}`, feeRate: '0.01', joinedOn: '2021-01-01' });
  for (const b of banks) await post('/v1/agreements', { bankCode: b, agencyCode: agency, signedOn: '2021-01-01' });
  const bankToken = (await post('/v1/tokens', { role: 'bank', partyCode: banks[0] })).token as string;
  let loanId = '';
  for (let i = 0; i < LOANS; i++) {
    const bank = banks[i % 2];
    const borrower = code('BR');
    await post('/v1/borrowers', { code: borrower, name: `Borrower ${borrower}`, highTech: true, techSme: false, revenues: [{ year: 2023, amount: '18000000.00' }] });
    const loan = await post('/v1/loans', {
      reference: code('LN'),
      bankCode: bank,
      agencyCode: agency,
      borrowerCode: borrower,
      amount: '1000000.00',
      annualRate: '0.0435',
      termMonths: 12,
      contractDate: '2024-06-01',
      registeredOn: '2024-06-10',
      security: 'collateral',
      collateralValue: '300000.00',
      singleAssetException: false,
    });
    if (bank === banks[0]) loanId = loan.id as string;
  }
  return { bank: banks[0], bankToken, loanId };
}

type Stats = { cpuMs: number; p50: number; p95: number };

async function measure(agent: http.Agent, port: number, path: string, token: string): Promise<Stats> {
  for (let i = 0; i < 100; i++) await call(agent, port, 'GET', path, token);
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < REQUESTS; i++) {
    const r = await call(agent, port, 'GET', path, token);
    if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
    latencies.push(r.ms);
  }
  const used = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  return { cpuMs: (used.user + used.system) / 1000 / REQUESTS, p50: latencies[Math.floor(REQUESTS * 0.5)], p95: latencies[Math.floor(REQUESTS * 0.95)] };
}

async function sqlBench(bank: string): Promise<Record<string, number>> {
  const client = new Client({ connectionString: DB_URL, options: '-c app.party_type=system' });
  await client.connect();
  const query = 'SELECT id, reference, amount FROM loans WHERE bank_code = $1 ORDER BY id LIMIT 50';
  const arms: Record<string, { setup: string[] }> = {
    'superuser (no policy)': { setup: [] },
    'wall role, system (policy passes every row)': { setup: ['SET LOCAL ROLE reserve_fund_wall'] },
    'wall role, walled to the bank': { setup: ['SET LOCAL ROLE reserve_fund_wall', `SELECT set_config('app.party_type', 'bank', true), set_config('app.party_code', '${bank}', true)`] },
  };
  const out: Record<string, number[]> = Object.fromEntries(Object.keys(arms).map((k) => [k, []]));
  for (let round = 0; round < 3; round++) {
    for (const [name, arm] of Object.entries(arms)) {
      await client.query('BEGIN');
      for (const s of arm.setup) await client.query(s);
      for (let i = 0; i < 200; i++) await client.query(query, [bank]);
      const started = process.hrtime.bigint();
      for (let i = 0; i < SQL_ITERATIONS; i++) await client.query(query, [bank]);
      out[name].push(Number(process.hrtime.bigint() - started) / 1e6 / SQL_ITERATIONS);
      await client.query('COMMIT');
    }
  }
  await client.end();
  return Object.fromEntries(Object.entries(out).map(([k, xs]) => [k, [...xs].sort((a, b) => a - b)[1]]));
}

async function main(): Promise<void> {
  await ensureDatabase(DB_URL);
  const app: INestApplication = await createApp(
    {
      config: { databaseUrl: DB_URL, redisUrl: null, dataDir: ':memory:', bootstrapAdminToken: TOKEN, logLevel: 'silent', heartbeatSeconds: 0, rateLimitPerMinute: 0 },
      jobsPrefix: `bench-${randomUUID().slice(0, 8)}`,
    },
    false,
  );
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const w = await seed(agent, port);
    const routes = { 'GET /v1/loans/{id}': `/v1/loans/${w.loanId}`, 'GET /v1/loans?limit=50': `/v1/loans?limit=50&bankCode=${w.bank}` };
    const results: Record<string, Stats[]> = {};
    for (let run = 0; run < RUNS; run++) {
      for (const [route, path] of Object.entries(routes)) {
        (results[`${route} trustee (unrestricted)`] ??= []).push(await measure(agent, port, path, TOKEN));
        (results[`${route} bank (walled)`] ??= []).push(await measure(agent, port, path, w.bankToken));
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`${LOANS} loans (half of them the bank's); ${REQUESTS} requests × ${RUNS} runs per arm; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    for (const [name, rs] of Object.entries(results)) {
      console.log(
        `${name.padEnd(48)} CPU/request ${median(rs.map((r) => r.cpuMs)).toFixed(3)} ms; latency p50 ${median(rs.map((r) => r.p50)).toFixed(2)} ms, p95 ${median(rs.map((r) => r.p95)).toFixed(2)} ms`,
      );
    }
    const sql = await sqlBench(w.bank);
    console.log(`SQL, ${SQL_ITERATIONS} × the bank's 50-loan page (median of 3 rounds):`);
    for (const [name, ms] of Object.entries(sql)) console.log(`${name.padEnd(48)} ${(ms * 1000).toFixed(0)} µs/query`);
  } finally {
    agent.destroy();
    await app.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
