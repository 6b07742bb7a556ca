/**
 * Benchmark: a quarterly bank report of 100,000 rows imported through BankReportsService (CSV
 * parse, in-memory validation of every row, one transaction of multi-row INSERTs) on real
 * PostgreSQL. Issue #5 item 4 targets ≥ 20,000 rows/s.
 *
 *   npm run bench:report-import                      # postgres://postgres@127.0.0.1:5432/reserve_bench
 *   BENCH_DATABASE_URL=postgres://… BENCH_ROWS=200000 npm run bench:report-import
 *
 * The database named in the URL is created when missing; the script adds its own bank and loans
 * (unique codes) and never deletes anything else.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { ConsoleLogger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap';
import { parseReportCsv } from '../src/loans/bank-report-rows';
import { BankReportsService } from '../src/loans/bank-reports.service';
import { ensureDatabase } from './support/database';

const DB_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/reserve_bench';
const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);


async function main(): Promise<void> {
  await ensureDatabase(DB_URL);
  const app = await createApp(
    {
      config: { databaseUrl: DB_URL, redisUrl: null, dataDir: ':memory:', bootstrapAdminToken: null, logLevel: 'info', heartbeatSeconds: 0 },
      jobsPrefix: `bench-${randomUUID().slice(0, 8)}`,
    },
    false,
  );
  // Plain console lines so the import's progress log is readable next to the results.
  app.useLogger(new ConsoleLogger('bench', { logLevels: ['log', 'warn', 'error'] }));
  app.flushLogs();
  await app.init();
  const ds = app.get(DataSource);
  const reports = app.get(BankReportsService);

  const tag = randomUUID().replace(/-/g, '').slice(0, 8).toUpperCase();
  const bank = `BENCHBK${tag}`;
  const agency = `BENCHAG${tag}`;
  const borrower = `BENCHBR${tag}`;
  const setupStart = Date.now();
  await ds.query(`INSERT INTO banks (code, name, status) VALUES ($1, 'bench bank', 'active')`, [bank]);
  await ds.query(`INSERT INTO agencies (code, name, fee_rate, joined_on, status) VALUES ($1, 'bench agency', 0.01, '2021-01-01', 'active')`, [agency]);
  await ds.query(`INSERT INTO agreements (bank_code, agency_code, signed_on) VALUES ($1, $2, '2021-01-01')`, [bank, agency]);
  await ds.query(`INSERT INTO borrowers (code, name, high_tech, tech_sme) VALUES ($1, 'bench borrower', true, false)`, [borrower]);
  // The loans themselves are set up in bulk SQL: the benchmark measures the report import only.
  await ds.query(
    `INSERT INTO loans (reference, bank_code, agency_code, borrower_code, group_key, amount, annual_rate, term_months,
                        contract_date, registered_on, security, collateral_value, policy_version_id, compensation_ratio,
                        revenue_year_used, revenue_used, registration_breakdown, disbursed_on, disbursed_amount,
                        disbursement_reported_on, disbursement_report_due_on, disbursement_report_late)
     SELECT 'L' || lpad(g::text, 7, '0'), $1, $2, $3, 'borrower:' || $3, 1000000.00 + g, 0.0390, 24,
            '2025-01-02', '2025-01-03', 'guarantee', 0, 'henan-2021', 0.60, 2024, 18000000.00, '[]'::jsonb,
            '2025-01-06', 1000000.00 + g, '2025-01-06', '2025-01-13', false
       FROM generate_series(1, $4::int) g`,
    [bank, agency, borrower, ROWS],
  );
  console.log(`setup: ${ROWS} loans in ${Date.now() - setupStart} ms`);

  const lines = ['loanReference,outstandingPrincipal,repaid,assetQuality'];
  const qualities = ['normal', 'normal', 'normal', 'special_mention', 'substandard'];
  for (let i = 1; i <= ROWS; i++) {
    const ref = `L${String(i).padStart(7, '0')}`;
    lines.push(`${ref},${900000 + (i % 1000)}.${String(i % 100).padStart(2, '0')},${100000 + (i % 500)}.00,${qualities[i % qualities.length]}`);
  }
  const csv = lines.join('\n');
  console.log(`CSV: ${ROWS} rows, ${(csv.length / 1e6).toFixed(1)} MB`);

  const results: { ms: number; rate: number }[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const started = process.hrtime.bigint();
    const out = await reports.submit({ bankCode: bank, quarter: '2025Q1', rows: parseReportCsv(csv), source: 'csv' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const rate = ROWS / (ms / 1000);
    results.push({ ms, rate });
    console.log(`run ${run}: version ${out.version}, ${out.rows} rows in ${ms.toFixed(0)} ms → ${Math.round(rate)} rows/s`);
  }
  const stored: { n: string }[] = await ds.query(
    `SELECT count(*) AS n FROM bank_report_rows r JOIN bank_reports b ON b.id = r.report_id WHERE b.bank_code = $1`,
    [bank],
  );
  const sorted = [...results].sort((a, b) => a.rate - b.rate);
  const median = sorted[Math.floor(sorted.length / 2)];
  const pg: { server_version: string }[] = await ds.query('SHOW server_version');
  console.log(
    `\nRESULT | ${new Date().toISOString().slice(0, 10)} | ${ROWS} rows | median ${Math.round(median.rate)} rows/s (${median.ms.toFixed(0)} ms) | ` +
      `best ${Math.round(sorted[sorted.length - 1].rate)} rows/s | PostgreSQL ${pg[0].server_version} | ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} | ` +
      `Node ${process.version} | rows kept (all versions): ${stored[0].n}`,
  );
  await app.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
