/**
 * Benchmark (issue 14 "Performance"): a bank statement of 100,000 lines against a reserve account
 * with 100,000 ledger lines — import + match in under 10 s on this machine. The measured path is
 * the service path of `POST /v1/reconciliations` with a CSV body, minus HTTP: GBK bytes decoded
 * (encoding detection, iconv-lite), CSV parsed and every line checked, the period's ledger lines
 * read, the matching passes run, and the reconciliation, its 100,000 lines and its matches stored
 * in one transaction, then the figures read back (what the 201 answers).
 *
 *   npm run bench:reconciliation                   # postgres://postgres@127.0.0.1:5432/reconciliation_bench
 *   BENCH_DATABASE_URL=postgres://… BENCH_LINES=100000 BENCH_RUNS=3 npm run bench:reconciliation
 *
 * Setup (not measured, timed separately): one bench bank whose deposit account gets BENCH_LINES
 * ledger lines over 2025 through LedgerPostingService.postMany, and their payment instructions
 * (the first sync). The statement (seeded, deterministic) has, per 10 ledger lines: 6 with the
 * instruction's reference and the same amount 0–2 days later, 3 without reference one day later,
 * and 1 the bank does not show, replaced by a bank-only line; so ~90% match. Between runs the
 * bench deletes its own reconciliation rows (open ones may be deleted) and imports again.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import iconv from 'iconv-lite';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap';
import { Money } from '../src/common/money/money';
import { LedgerAccountsService } from '../src/ledger/ledger-accounts.service';
import { LedgerPostingService, PostingInput } from '../src/ledger/ledger-posting.service';
import { checkParams, csvLines } from '../src/reconciliation/domain/statement-file';
import { formatFen } from '../src/reconciliation/domain/matching';
import { PaymentInstructionsService } from '../src/reconciliation/payment-instructions.service';
import { ReconciliationService } from '../src/reconciliation/reconciliation.service';
import { decodeStatement } from '../src/reconciliation/statement-decoding';
import { ensureDatabase } from './support/database';

const DB_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/reconciliation_bench';
const LINES = Number(process.env.BENCH_LINES ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);


/** A small seeded generator (mulberry32): the same statement on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const day = (n: number) => new Date(Date.UTC(2025, 0, 1 + n)).toISOString().slice(0, 10);

async function setup(app: Awaited<ReturnType<typeof createApp>>, bank: string) {
  const accounts = app.get(LedgerAccountsService);
  const posting = app.get(LedgerPostingService);
  const deposit = `reserve:deposit:${bank}`;
  await accounts.ensureAccount({ book: 'reserve', code: deposit, name: deposit, type: 'asset', floor: null });
  await accounts.ensureAccount({ book: 'reserve', code: 'reserve:capital', name: 'capital', type: 'equity', floor: null });
  const random = rng(14);
  const inputs: PostingInput[] = [];
  for (let i = 0; i < LINES; i++) {
    const amount = Money.fromFen(BigInt(100 + Math.floor(random() * 100_000_000)));
    const inflow = i % 3 !== 2;
    inputs.push({
      book: 'reserve',
      effectiveDate: day(Math.floor((i * 360) / LINES)),
      memo: `bench movement ${i}`,
      lines: inflow ? [{ account: deposit, debit: amount }, { account: 'reserve:capital', credit: amount }] : [{ account: 'reserve:capital', debit: amount }, { account: deposit, credit: amount }],
      link: { type: inflow ? 'reserve-funding' : 'claim', id: `bench-${i}` },
    });
  }
  let started = Date.now();
  for (let i = 0; i < inputs.length; i += 1000) await posting.postMany(null, inputs.slice(i, i + 1000));
  console.log(`setup: ${LINES} ledger entries posted in ${Date.now() - started} ms`);
  started = Date.now();
  const created = await app.get(PaymentInstructionsService).sync();
  console.log(`setup: ${created} payment instructions created (first sync) in ${Date.now() - started} ms`);
  return deposit;
}

async function statementCsv(ds: DataSource, deposit: string): Promise<string> {
  const rows = (await ds.query(
    `SELECT reference, direction, amount::text AS amount, effective_date FROM payment_instructions WHERE account_code = $1 ORDER BY sequence, line_no`,
    [deposit],
  )) as { reference: string; direction: string; amount: string; effective_date: string }[];
  const random = rng(21);
  const lines: { date: string; fen: bigint; ref: string; memo: string }[] = [];
  rows.forEach((r, i) => {
    const fen = (r.direction === 'in' ? 1n : -1n) * BigInt(r.amount.replace('.', ''));
    const base = Math.round((Date.parse(r.effective_date) - Date.parse('2025-01-01')) / 86_400_000);
    const k = i % 10;
    if (k < 6) lines.push({ date: day(base + Math.floor(random() * 3)), fen, ref: r.reference, memo: 'transfer' });
    else if (k < 9) lines.push({ date: day(base + 1), fen, ref: '', memo: 'transfer' });
    else lines.push({ date: day(base), fen: -BigInt(100 + Math.floor(random() * 5000)), ref: '', memo: '手续费' });
  });
  lines.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  let balance = 0n;
  const out = ['交易日期,借方发生额,贷方发生额,余额,对方户名,摘要,附言'];
  for (const l of lines) {
    balance += l.fen;
    const debit = l.fen < 0n ? formatFen(-l.fen) : '';
    const credit = l.fen > 0n ? formatFen(l.fen) : '';
    out.push(`${l.date},${debit},${credit},${formatFen(balance)},对方单位,${l.memo},${l.ref}`);
  }
  return out.join('\r\n');
}

async function main(): Promise<void> {
  await ensureDatabase(DB_URL);
  const app = await createApp({ config: { databaseUrl: DB_URL, redisUrl: null, dataDir: ':memory:', bootstrapAdminToken: null, logLevel: 'warn', heartbeatSeconds: 0 }, jobsPrefix: `bench-${randomUUID().slice(0, 8)}` }, false);
  await app.init();
  const ds = app.get(DataSource);
  const bank = `BENCHRC${randomUUID().replace(/-/g, '').slice(0, 8).toUpperCase()}`;
  const deposit = await setup(app, bank);
  const csv = await statementCsv(ds, deposit);
  const gbk = iconv.encode(csv, 'gbk');
  console.log(`statement: ${csv.split('\r\n').length - 1} lines, ${(gbk.length / 1e6).toFixed(1)} MB GBK`);
  const service = app.get(ReconciliationService);
  const results: { ms: number; matched: number; unmatchedStatement: number; unmatchedLedger: number }[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const started = process.hrtime.bigint();
    const decoded = decodeStatement(gbk, null);
    const params = checkParams({ bankCode: bank, from: '2025-01-01', to: '2025-12-31', openingBalance: '0.00' });
    const out = (await service.import({ params, lines: csvLines(decoded.text), source: 'csv', encoding: decoded.encoding }, undefined, false)) as { id: string; matched: number; unmatchedStatement: number; unmatchedLedger: number };
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    results.push({ ms, matched: out.matched, unmatchedStatement: out.unmatchedStatement, unmatchedLedger: out.unmatchedLedger });
    console.log(`run ${run}: ${ms.toFixed(0)} ms — ${out.matched} matches, ${out.unmatchedStatement} statement lines and ${out.unmatchedLedger} ledger lines unmatched`);
    for (const table of ['reconciliation_match_items', 'reconciliation_matches', 'reconciliation_statement_lines']) await ds.query(`DELETE FROM ${table} WHERE reconciliation_id = $1`, [out.id]);
    await ds.query(`DELETE FROM reconciliations WHERE id = $1`, [out.id]);
  }
  const sorted = [...results].sort((a, b) => a.ms - b.ms);
  const pg: { server_version: string }[] = await ds.query('SHOW server_version');
  console.log(
    `\nRESULT | ${new Date().toISOString().slice(0, 16)} | ${LINES} ledger lines, statement of the same size | median ${sorted[Math.floor(sorted.length / 2)].ms.toFixed(0)} ms, ` +
      `best ${sorted[0].ms.toFixed(0)} ms | PostgreSQL ${pg[0].server_version} | ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} | load ${os.loadavg()[0].toFixed(1)} | Node ${process.version}`,
  );
  await app.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
