/**
 * Ledger posting benchmark (issue #4 "Performance"): posts a realistic mix through
 * LedgerPostingService against a local PostgreSQL and compares it with a raw multi-row INSERT of
 * the same rows. Results go to docs/benchmarks.md.
 *
 *   npm run bench:ledger
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ledger_bench BENCH_SECONDS=5 npm run bench:ledger
 *
 * BENCH_MAX_IN_FLIGHT / BENCH_MAX_BATCH override the group-commit settings (defaults 2 / 500).
 *
 * The database named in BENCH_DATABASE_URL is created if missing and its `public` schema is
 * RESET. Durability is left as the server has it (synchronous_commit is reported, never changed).
 */
import { randomUUID } from 'node:crypto';
import { cpus, totalmem, platform, release } from 'node:os';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { Clock } from '../src/common/clock/clock';
import { dataSourceOptions } from '../src/common/database/database.module';
import { installPgTypeParsers } from '../src/common/database/pg-types';
import { TransactionScope } from '../src/common/database/transaction-scope';
import { MetricsService } from '../src/common/metrics/metrics.service';
import { Money } from '../src/common/money/money';
import { LedgerAccountsService } from '../src/ledger/ledger-accounts.service';
import { LedgerPostingService, PostingInput } from '../src/ledger/ledger-posting.service';

const URL_ = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ledger_bench';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WRITERS = (process.env.BENCH_WRITERS ?? '1,4,16').split(',').map(Number);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const ACCOUNTS = 1000;
const HOT = 5;
const BOOK = 'bench';

/** A tiny deterministic PRNG (mulberry32) so every run posts the same mix. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Chart {
  codes: string[];
  hot: string[];
}

/** 1,000 accounts: 200 floored deposits (5 of them hot), 300 payables, 300 receivables, 199 expenses, capital. */
async function openChart(accounts: LedgerAccountsService, ledger: LedgerPostingService): Promise<Chart> {
  await accounts.ensureBook(BOOK, 'benchmark');
  const codes: string[] = [];
  const defs: { code: string; type: 'asset' | 'liability' | 'expense' | 'equity'; floor: Money | null }[] = [];
  for (let i = 0; i < 200; i++) defs.push({ code: `${BOOK}:deposit:BANK${String(i).padStart(3, '0')}`, type: 'asset', floor: Money.of('0.00') });
  for (let i = 0; i < 300; i++) defs.push({ code: `${BOOK}:payable:BANK${String(i).padStart(3, '0')}`, type: 'liability', floor: null });
  for (let i = 0; i < 300; i++) defs.push({ code: `${BOOK}:receivable:CLAIM${String(i).padStart(3, '0')}`, type: 'asset', floor: null });
  for (let i = 0; i < ACCOUNTS - 801; i++) defs.push({ code: `${BOOK}:expense:E${String(i).padStart(3, '0')}`, type: 'expense', floor: null });
  defs.push({ code: `${BOOK}:capital`, type: 'equity', floor: null });
  for (const d of defs) {
    await accounts.ensureAccount({ book: BOOK, code: d.code, name: d.code, type: d.type, floor: d.floor });
    codes.push(d.code);
  }
  // Fund every floored deposit generously so the mix never meets its floor.
  const deposits = defs.filter((d) => d.floor !== null).map((d) => d.code);
  await ledger.postMany(
    null,
    deposits.map((code) => ({
      book: BOOK,
      effectiveDate: '2025-01-01',
      memo: 'funding',
      lines: [
        { account: code, debit: Money.of('1000000000000.00') },
        { account: `${BOOK}:capital`, credit: Money.of('1000000000000.00') },
      ],
    })),
  );
  return { codes, hot: deposits.slice(0, HOT) };
}

/** 2–4 lines, balanced, 10% of lines on a hot account, amounts 0.01–10,000.00. */
function makeEntry(chart: Chart, rnd: () => number, n: number): PostingInput {
  const count = 2 + Math.floor(rnd() * 3);
  const pick = () => (rnd() < 0.1 ? chart.hot[Math.floor(rnd() * chart.hot.length)] : chart.codes[Math.floor(rnd() * chart.codes.length)]);
  const debits = count === 4 ? 2 : 1;
  const lines: PostingInput['lines'] = [];
  let totalFen = 0n;
  for (let i = 0; i < debits; i++) {
    const fen = BigInt(1 + Math.floor(rnd() * 1_000_000));
    totalFen += fen;
    lines.push({ account: pick(), debit: Money.fromFen(fen) });
  }
  const credits = count - debits;
  let left = totalFen;
  for (let i = 0; i < credits; i++) {
    const fen = i === credits - 1 ? left : left / 2n > 0n ? left / 2n : left;
    if (fen <= 0n) break;
    left -= fen;
    lines.push({ account: pick(), credit: Money.fromFen(fen) });
  }
  return { book: BOOK, effectiveDate: '2025-06-30', memo: `bench ${n}`, lines, link: { type: 'bench', id: String(n) } };
}

interface Result {
  mode: string;
  writers: number;
  entries: number;
  lines: number;
  seconds: number;
}

async function runFor(writers: number, work: (writer: number, rnd: () => number) => Promise<{ entries: number; lines: number }>): Promise<Omit<Result, 'mode' | 'writers'>> {
  const stopAt = Date.now() + SECONDS * 1000;
  const started = process.hrtime.bigint();
  const totals = await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const rnd = prng(1000 + w);
      let entries = 0;
      let lines = 0;
      while (Date.now() < stopAt) {
        const r = await work(w, rnd);
        entries += r.entries;
        lines += r.lines;
      }
      return { entries, lines };
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { entries: totals.reduce((s, t) => s + t.entries, 0), lines: totals.reduce((s, t) => s + t.lines, 0), seconds };
}

/** The ceiling: the same entry and line rows, multi-row INSERTed into trigger-free, FK-free copies with the same indexes. */
async function rawInsert(ds: DataSource, batch: PostingInput[], sequenceBase: { next: number }, accountIds: Map<string, string>): Promise<void> {
  const ids = batch.map(() => randomUUID());
  const seqs = batch.map(() => sequenceBase.next++);
  const now = new Date().toISOString();
  const lines = batch.flatMap((e, k) =>
    e.lines.map((l, i) => ({
      entry: ids[k],
      no: i + 1,
      account: accountIds.get(l.account) as string,
      side: l.debit ? 'D' : 'C',
      amount: (l.debit ?? l.credit)!.toString(),
      seq: seqs[k],
    })),
  );
  await ds.transaction(async (m) => {
    await m.query(
      `WITH e AS (
         INSERT INTO bench_raw_entries (id, book, sequence, effective_date, recorded_at, memo, link_type, link_id, line_count, prev_hash, hash)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::date[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::int[], $10::text[], $11::text[]))
       INSERT INTO bench_raw_lines (entry_id, line_no, account_id, side, amount, effective_date, sequence)
       SELECT * FROM unnest($12::uuid[], $13::smallint[], $14::bigint[], $15::text[], $16::numeric[], $17::date[], $18::bigint[])`,
      [
        ids,
        batch.map(() => BOOK),
        seqs,
        batch.map((e) => e.effectiveDate),
        batch.map(() => now),
        batch.map((e) => e.memo),
        batch.map((e) => e.link?.type ?? null),
        batch.map((e) => e.link?.id ?? null),
        batch.map((e) => e.lines.length),
        batch.map(() => '0'.repeat(64)),
        batch.map(() => 'f'.repeat(64)),
        lines.map((l) => l.entry),
        lines.map((l) => l.no),
        lines.map((l) => l.account),
        lines.map((l) => l.side),
        lines.map((l) => l.amount),
        lines.map(() => '2025-06-30'),
        lines.map((l) => l.seq),
      ],
    );
  });
}

async function prepareDatabase(): Promise<void> {
  const u = new URL(URL_);
  const dbName = u.pathname.slice(1);
  const admin = new Client({ connectionString: `${u.protocol}//${u.username}${u.password ? `:${u.password}` : ''}@${u.host}/postgres` });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
  if (!exists.rowCount) await admin.query(`CREATE DATABASE "${dbName.replace(/"/g, '')}"`);
  await admin.end();
  const c = new Client({ connectionString: URL_ });
  await c.connect();
  await c.query('DROP SCHEMA IF EXISTS public CASCADE');
  await c.query('CREATE SCHEMA public');
  await c.end();
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  await prepareDatabase();
  installPgTypeParsers();
  const ds = new DataSource({ ...dataSourceOptions(URL_, false), extra: { max: 40 }, logging: false });
  await ds.initialize();
  const tx = new TransactionScope(ds);
  const accounts = new LedgerAccountsService(tx);
  const ledger = new LedgerPostingService(ds, new Clock(), tx, new MetricsService(ds));
  if (process.env.BENCH_MAX_IN_FLIGHT) ledger.groupCommit.maxInFlight = Number(process.env.BENCH_MAX_IN_FLIGHT);
  if (process.env.BENCH_MAX_BATCH) ledger.groupCommit.maxBatch = Number(process.env.BENCH_MAX_BATCH);
  const chart = await openChart(accounts, ledger);
  const accountRows = (await ds.query(`SELECT id, code FROM ledger_accounts WHERE book = $1`, [BOOK])) as { id: string; code: string }[];
  const accountIds = new Map(accountRows.map((r) => [r.code, r.id]));
  await ds.query(`CREATE TABLE bench_raw_entries (LIKE ledger_entries INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING CONSTRAINTS)`);
  await ds.query(`CREATE TABLE bench_raw_lines (LIKE ledger_lines INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING CONSTRAINTS)`);

  const [{ version }] = (await ds.query('SELECT version()')) as { version: string }[];
  const settings = (await ds.query(
    `SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit','fsync','wal_sync_method','shared_buffers','commit_delay')`,
  )) as { name: string; setting: string }[];
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, node ${process.version}`);
  console.log(`database: ${version}`);
  console.log(`settings: ${settings.map((s) => `${s.name}=${s.setting}`).join(' ')}`);
  console.log(`mix: ${ACCOUNTS} accounts, 2–4 lines per entry, 10% of lines on ${HOT} hot floored accounts; ${SECONDS}s per run; batch ${BATCH}`);

  const results: Result[] = [];
  const seq = { next: 1 };
  let n = 0;
  for (const writers of WRITERS) {
    const single = await runFor(writers, async (_w, rnd) => {
      const e = makeEntry(chart, rnd, n++);
      await ledger.post(null, e);
      return { entries: 1, lines: e.lines.length };
    });
    results.push({ mode: 'post() one entry per call (group commit)', writers, ...single });

    const batched = await runFor(writers, async (_w, rnd) => {
      const batch = Array.from({ length: BATCH }, () => makeEntry(chart, rnd, n++));
      await ledger.postMany(null, batch);
      return { entries: batch.length, lines: batch.reduce((s, e) => s + e.lines.length, 0) };
    });
    results.push({ mode: `postMany() ${BATCH} entries per call`, writers, ...batched });

    const rawSingle = await runFor(writers, async (_w, rnd) => {
      const e = makeEntry(chart, rnd, n++);
      await rawInsert(ds, [e], seq, accountIds);
      return { entries: 1, lines: e.lines.length };
    });
    results.push({ mode: 'raw INSERT, 1 entry per transaction', writers, ...rawSingle });

    const rawBatch = await runFor(writers, async (_w, rnd) => {
      const batch = Array.from({ length: BATCH }, () => makeEntry(chart, rnd, n++));
      await rawInsert(ds, batch, seq, accountIds);
      return { entries: batch.length, lines: batch.reduce((s, e) => s + e.lines.length, 0) };
    });
    results.push({ mode: `raw multi-row INSERT, ${BATCH} entries per transaction (ceiling)`, writers, ...rawBatch });
  }

  // Sanity: the posted book is whole (gapless, balanced).
  const [check] = (await ds.query(
    `SELECT (SELECT last_sequence FROM ledger_books WHERE code = $1) AS head, (SELECT count(*) FROM ledger_entries WHERE book = $1) AS entries,
            (SELECT sum(debits) FROM ledger_accounts WHERE book = $1) AS debits, (SELECT sum(credits) FROM ledger_accounts WHERE book = $1) AS credits`,
    [BOOK],
  )) as { head: string; entries: string; debits: string; credits: string }[];
  console.log(`check: head ${check.head}, entries ${check.entries}, debits ${check.debits}, credits ${check.credits}`);
  if (check.head !== check.entries || check.debits !== check.credits) throw new Error('the benchmark book is not whole');

  console.log('\n| mode | writers | entries/s | lines/s | % of ceiling |\n|---|---:|---:|---:|---:|');
  for (const r of results) {
    const ceiling = results.find((x) => x.writers === r.writers && x.mode.endsWith('(ceiling)')) as Result;
    const eps = r.entries / r.seconds;
    const ceilingEps = ceiling.entries / ceiling.seconds;
    console.log(`| ${r.mode} | ${r.writers} | ${fmt(eps)} | ${fmt(r.lines / r.seconds)} | ${((eps / ceilingEps) * 100).toFixed(0)}% |`);
  }
  await ds.destroy();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
