/**
 * Ledger posting benchmark (issues #4 and #16): posts a mix through LedgerPostingService against a
 * local PostgreSQL and, in the same run, writes the same rows with raw INSERTs (the disk's limit
 * for that shape), reporting entries/s, the ratios the issues set goals for, and WAL per entry.
 * Results go to docs/benchmarks.md.
 *
 *   npm run bench:ledger
 *   BENCH_MIX=pgledger BENCH_ROUNDS=6 BENCH_SECONDS=5 npm run bench:ledger
 *
 * Environment:
 * - BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ledger_bench): created if
 *   missing; the bench's schemas in it (`bench_*`) are DROPPED and re-created.
 * - BENCH_MIX: `own` (default; 2–4 lines, 10% of lines on 5 hot floored deposits) or `pgledger`
 *   (issue #16's comparison: 2 lines, 10% of entries on one hot floored deposit, the other line
 *   and the other entries uniform over 1,000 accounts).
 * - BENCH_WRITERS (default `1,4,16` for own, `1,4` for pgledger), BENCH_SECONDS per cell (5),
 *   BENCH_BATCH (100), BENCH_ROUNDS (1): rounds are interleaved — every cell of round 1, then every
 *   cell of round 2, … — so load from other work on the machine falls on all cells alike.
 * - BENCH_ARMS (default `current`): variants of the posting code measured side by side in the
 *   same rounds, each in a schema of its own (see ARMS below).
 * - BENCH_MAX_IN_FLIGHT / BENCH_MAX_BATCH override the group-commit settings of every arm.
 * - BENCH_PRELOAD (default 0): entries of history written into every arm's book (and the raw
 *   tables) in SQL before the rounds, 2 lines each, so the tables and their indexes have the size
 *   of a ledger in service: WAL per entry (full-page images after each checkpoint) depends on how
 *   many distinct index pages the inserts touch. Their ids are of the arm's kind.
 *
 * WAL per entry is the `pg_stat_wal` delta over a cell divided by the entries it wrote (records,
 * full-page images, bytes). pg_stat_wal counts the whole cluster, so on a shared server other
 * databases' writes land in it too; compare cells of the same run.
 *
 * BENCH_WALDUMP=<the server's pg_wal directory> (a server on this machine, readable by the bench's
 * user) adds exact figures for the bench's own database: after each cell, pg_waldump reads the
 * cell's WAL and counts only the records of this database (a block of one of its relations, or
 * its id) and the commit records of their transactions — immune to the other databases' writes.
 * BENCH_PG_WALDUMP names the tool (default /usr/lib/postgresql/15/bin/pg_waldump).
 *
 * Durability is left as the server has it (synchronous_commit is reported, never changed).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { ALL_MIGRATIONS } from '../migrations';
import { LedgerGuardConditions1733600000000 } from '../migrations/1733600000000-ledger-guard-conditions';
import { LedgerLeanIndexes1733840000000 } from '../migrations/1733840000000-ledger-lean-indexes';
import { Clock } from '../src/common/clock/clock';
import { dataSourceOptions } from '../src/common/database/database.module';
import { installPgTypeParsers } from '../src/common/database/pg-types';
import { TransactionScope } from '../src/common/database/transaction-scope';
import { MetricsService } from '../src/common/metrics/metrics.service';
import { Money } from '../src/common/money/money';
import { LedgerAccountsService } from '../src/ledger/ledger-accounts.service';
import { LedgerPostingService, PostingInput } from '../src/ledger/ledger-posting.service';
import { newEntryId } from '../src/ledger/posting/prepare';
import { ensureDatabase } from './support/database';

const URL_ = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ledger_bench';
const MIX = (process.env.BENCH_MIX ?? 'own') as 'own' | 'pgledger';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WRITERS = (process.env.BENCH_WRITERS ?? (MIX === 'pgledger' ? '1,4' : '1,4,16')).split(',').map(Number);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const ARM_NAMES = (process.env.BENCH_ARMS ?? 'current').split(',');
const PRELOAD = Number(process.env.BENCH_PRELOAD ?? 0);
const ACCOUNTS = 1000;
const HOT = MIX === 'pgledger' ? 1 : 5;
const BOOK = 'bench';

/**
 * Variants of the posting code, each run in a schema of its own with its own migrations, in the
 * same rounds: `current` is the code as it is.
 */
interface Arm {
  name: string;
  description: string;
  migrations: (typeof ALL_MIGRATIONS)[number][];
  /**
   * Books the writers post into (default 1): writer w posts into book w mod books, each with a
   * chart of its own. More than one measures posting without the one book head every writer
   * waits for — an upper bound for sealing after commit (docs/ledger.md "What remains").
   */
  books?: number;
  /** SQL for an id of the kind the arm's code generates (preloaded history); default gen_random_uuid(). */
  idSql?: string;
  configure?: (ledger: LedgerPostingService) => void;
}
/** Migrations added by issue #16 (left out of the arms that measure the code before it). */
const ISSUE_16_MIGRATIONS: (typeof ALL_MIGRATIONS)[number][] = [LedgerGuardConditions1733600000000, LedgerLeanIndexes1733840000000];
const BEFORE_16 = ALL_MIGRATIONS.filter((m) => !ISSUE_16_MIGRATIONS.includes(m));
/** A UUIDv7 made in SQL (48 bits of ms, version 7, 12 random bits, variant, 62 random bits), for preloaded history. */
const V7_SQL = `(lpad(to_hex(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || '7' || substr(md5(random()::text), 1, 3)
  || to_hex(8 + floor(random() * 4)::int) || substr(md5(random()::text), 1, 15))::uuid`;
const ARMS: Record<string, Arm> = {
  current: { name: 'current', description: 'the code as it is', migrations: ALL_MIGRATIONS, idSql: V7_SQL },
  wide: {
    name: 'wide',
    description: 'the code as it is on the schema before migration 1733840000000 (with the link and book-date indexes of entries)',
    migrations: ALL_MIGRATIONS.filter((m) => m !== LedgerLeanIndexes1733840000000),
    idSql: V7_SQL,
  },
  books4: {
    name: 'books4',
    description: 'the code as it is, each writer posting into one of 4 books (no shared head: the bound for sealing after commit)',
    migrations: ALL_MIGRATIONS,
    idSql: V7_SQL,
    books: 4,
  },
  replan: {
    name: 'replan',
    description: 'the code as it is, but autocommitted batches on the shared pool as before run 7 (the named statement re-planned at every execution)',
    migrations: ALL_MIGRATIONS,
    idSql: V7_SQL,
    configure: (ledger) => (ledger.plans.generic = false),
  },
  before: {
    name: 'before',
    description: 'the code at the start of run 7: autocommitted batches re-planned at every execution on the shared pool',
    migrations: ALL_MIGRATIONS,
    idSql: V7_SQL,
    configure: (ledger) => (ledger.plans.generic = false),
  },
  generic500: {
    name: 'generic500',
    description: 'the code as it is, with autocommitted batches of up to 500 entries (not 100) planned generically',
    migrations: ALL_MIGRATIONS,
    idSql: V7_SQL,
    configure: (ledger) => (ledger.plans.genericMaxEntries = 500),
  },
  inflight1: {
    name: 'inflight1',
    description: 'the code as it is, with one coalesced statement or transaction in flight at a time (groupCommit.maxInFlight = 1)',
    migrations: ALL_MIGRATIONS,
    idSql: V7_SQL,
    configure: (ledger) => (ledger.groupCommit.maxInFlight = 1),
  },
  inflight4: {
    name: 'inflight4',
    description: 'the code as it is, with up to four coalesced statements or transactions in flight (groupCommit.maxInFlight = 4)',
    migrations: ALL_MIGRATIONS,
    idSql: V7_SQL,
    configure: (ledger) => (ledger.groupCommit.maxInFlight = 4),
  },
  v4: {
    name: 'v4',
    description: 'the code before issue 16: random v4 entry ids, its schema, only lone entries autocommitted',
    migrations: BEFORE_16,
    configure: (ledger) => {
      ledger.entryIds.kind = 'random';
      ledger.groupCommit.autocommitBatches = false;
    },
  },
  v7: {
    name: 'v7',
    description: 'time-ordered entry ids; the schema before issue 16, only lone entries autocommitted',
    migrations: BEFORE_16,
    idSql: V7_SQL,
    configure: (ledger) => (ledger.groupCommit.autocommitBatches = false),
  },
  guards: {
    name: 'guards',
    description: 'time-ordered ids and the guards by WHEN clause; only lone entries autocommitted',
    migrations: ALL_MIGRATIONS,
    idSql: V7_SQL,
    configure: (ledger) => (ledger.groupCommit.autocommitBatches = false),
  },
};

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
  book: string;
  codes: string[];
  hot: string[];
}

/** 1,000 accounts: 200 floored deposits, 300 payables, 300 receivables, 199 expenses, capital. */
function chartDefinition(book: string): { code: string; type: 'asset' | 'liability' | 'expense' | 'equity'; floor: Money | null }[] {
  const defs: { code: string; type: 'asset' | 'liability' | 'expense' | 'equity'; floor: Money | null }[] = [];
  for (let i = 0; i < 200; i++) defs.push({ code: `${book}:deposit:BANK${String(i).padStart(3, '0')}`, type: 'asset', floor: Money.of('0.00') });
  for (let i = 0; i < 300; i++) defs.push({ code: `${book}:payable:BANK${String(i).padStart(3, '0')}`, type: 'liability', floor: null });
  for (let i = 0; i < 300; i++) defs.push({ code: `${book}:receivable:CLAIM${String(i).padStart(3, '0')}`, type: 'asset', floor: null });
  for (let i = 0; i < ACCOUNTS - 801; i++) defs.push({ code: `${book}:expense:E${String(i).padStart(3, '0')}`, type: 'expense', floor: null });
  defs.push({ code: `${book}:capital`, type: 'equity', floor: null });
  return defs;
}

async function openChart(accounts: LedgerAccountsService, ledger: LedgerPostingService, book: string): Promise<Chart> {
  await accounts.ensureBook(book, 'benchmark');
  const defs = chartDefinition(book);
  for (const d of defs) await accounts.ensureAccount({ book, code: d.code, name: d.code, type: d.type, floor: d.floor });
  // Fund every floored deposit generously so the mix never meets its floor.
  const deposits = defs.filter((d) => d.floor !== null).map((d) => d.code);
  await ledger.postMany(
    null,
    deposits.map((code) => ({
      book,
      effectiveDate: '2025-01-01',
      memo: 'funding',
      lines: [
        { account: code, debit: Money.of('1000000000000.00') },
        { account: `${book}:capital`, credit: Money.of('1000000000000.00') },
      ],
    })),
  );
  return { book, codes: defs.map((d) => d.code), hot: deposits.slice(0, HOT) };
}

/** Own mix: 2–4 lines, balanced, 10% of lines on a hot account, amounts 0.01–10,000.00. */
function ownEntry(chart: Chart, rnd: () => number, n: number): PostingInput {
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
  return { book: chart.book, effectiveDate: '2025-06-30', memo: `bench ${n}`, lines, link: { type: 'bench', id: String(n) } };
}

/**
 * The pgledger-like mix (issue #16): 2 lines; 10% of entries move money between the one hot
 * (floored, funded) deposit and a random account, either way; the others between two random
 * accounts (never the same one twice).
 */
function pgledgerEntry(chart: Chart, rnd: () => number, n: number): PostingInput {
  const other = (not: string) => {
    for (;;) {
      const code = chart.codes[Math.floor(rnd() * chart.codes.length)];
      if (code !== not) return code;
    }
  };
  const amount = Money.fromFen(BigInt(1 + Math.floor(rnd() * 1_000_000)));
  let a: string;
  let b: string;
  if (rnd() < 0.1) {
    const h = chart.hot[0];
    const o = other(h);
    [a, b] = rnd() < 0.5 ? [h, o] : [o, h];
  } else {
    a = other('');
    b = other(a);
  }
  return {
    book: chart.book,
    effectiveDate: '2025-06-30',
    memo: `bench ${n}`,
    lines: [
      { account: a, debit: amount },
      { account: b, credit: amount },
    ],
    link: { type: 'bench', id: String(n) },
  };
}

/**
 * Ids of the raw side's rows (BENCH_RAW_IDS): `v7` (default) time-ordered like the service's
 * entries since issue #16 — the same shape, and the faster baseline; `v4` random, as in the runs
 * recorded before that change.
 */
const RAW_IDS = process.env.BENCH_RAW_IDS ?? 'v7';
const newRawId = RAW_IDS === 'v4' ? randomUUID : () => newEntryId('time-ordered');

const makeEntry = MIX === 'pgledger' ? pgledgerEntry : ownEntry;

interface Wal {
  records: number;
  fpi: number;
  bytes: number;
}

interface Cell {
  arm: string;
  mode: string;
  writers: number;
  eps: number[];
  wal: Wal[];
  /** The bench database's own WAL per entry (BENCH_WALDUMP), per round. */
  own: Wal[];
  /** The same, summed over the rounds per relation (BENCH_WAL_RELATIONS), with the entries written. */
  rels: Map<string, Wal>;
  relEntries: number;
}

const WALDUMP_DIR = process.env.BENCH_WALDUMP ?? '';
const PG_WALDUMP = process.env.BENCH_PG_WALDUMP ?? '/usr/lib/postgresql/15/bin/pg_waldump';
let databaseOid = '';
/**
 * BENCH_WAL_RELATIONS=1 (with BENCH_WALDUMP): the own WAL split by relation — each record counted
 * against the first relation it names (a heap update's page, an index leaf, …), transaction
 * records as `(commit/abort)`, others as `(other)` — to see which table or index the bytes and
 * the full-page images come from.
 */
const WAL_RELATIONS = WALDUMP_DIR !== '' && process.env.BENCH_WAL_RELATIONS === '1';
/** relfilenode → schema.relation of the bench's relations (read once the schemas are built). */
const relationNames = new Map<string, string>();

/**
 * The WAL of the bench's database between two positions, read with pg_waldump: records that touch
 * a block of one of its relations (`rel <tablespace>/<database>/<relation>`) or name it
 * (`db <oid>`, `base/<oid>/`), plus the commit and abort records of their transactions.
 */
async function ownWal(from: string, to: string, rels?: Map<string, Wal>): Promise<Wal> {
  const child = spawn(PG_WALDUMP, ['-p', WALDUMP_DIR, '-s', from, '-e', to], { stdio: ['ignore', 'pipe', 'ignore'] });
  const mine = new RegExp(`rel \\d+/${databaseOid}/|db ${databaseOid}\\b|base/${databaseOid}/`);
  const relOf = new RegExp(`rel \\d+/${databaseOid}/(\\d+)`);
  const txs = new Set<string>();
  const ends = new Map<string, { bytes: number; records: number }>();
  const total: Wal = { records: 0, fpi: 0, bytes: 0 };
  const add = (name: string, w: Wal) => {
    if (!rels) return;
    const r = rels.get(name) ?? { records: 0, fpi: 0, bytes: 0 };
    r.records += w.records;
    r.fpi += w.fpi;
    r.bytes += w.bytes;
    rels.set(name, r);
  };
  for await (const line of createInterface({ input: child.stdout })) {
    const m = /^rmgr: (\S+)\s+len \(rec\/tot\):\s*\d+\/\s*(\d+), tx:\s*(\d+),/.exec(line);
    if (!m) continue;
    const [, rmgr, tot, tx] = m;
    if (mine.test(line)) {
      const fpi = line.split(' FPW').length - 1;
      total.records += 1;
      total.bytes += Number(tot);
      total.fpi += fpi;
      if (tx !== '0') txs.add(tx);
      const rel = relOf.exec(line)?.[1];
      add(rel ? (relationNames.get(rel) ?? `relfilenode ${rel}`) : '(other)', { records: 1, fpi, bytes: Number(tot) });
    } else if (rmgr === 'Transaction' && tx !== '0') {
      const e = ends.get(tx) ?? { bytes: 0, records: 0 };
      e.bytes += Number(tot);
      e.records += 1;
      ends.set(tx, e);
    }
  }
  for (const tx of txs) {
    const e = ends.get(tx);
    if (e) {
      total.records += e.records;
      total.bytes += e.bytes;
      add('(commit/abort)', { records: e.records, fpi: 0, bytes: e.bytes });
    }
  }
  return total;
}

/**
 * WAL written so far: bytes from the insert position (exact at once); records and full-page
 * images from pg_stat_wal, which a backend reports only when it goes idle at most once a second,
 * or when it exits — so the cell's connections are closed (the pool re-created) before reading.
 */
async function walNow(ds: DataSource): Promise<Wal> {
  const [r] = (await ds.query(
    `SELECT wal_records::text AS records, wal_fpi::text AS fpi, pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::text AS bytes FROM pg_stat_wal`,
  )) as { records: string; fpi: string; bytes: string }[];
  return { records: Number(r.records), fpi: Number(r.fpi), bytes: Number(r.bytes) };
}

/** Each arm's posting service by its data source: its own connections (GenericPlanPool) are closed with the pool. */
const ledgersBySource = new Map<DataSource, LedgerPostingService>();

/** Closes the pool's connections (their backends report their WAL as they exit) and opens a new pool. */
async function recyclePool(ds: DataSource): Promise<void> {
  await ledgersBySource.get(ds)?.releaseConnections();
  await ds.destroy();
  await ds.initialize();
  await new Promise((r) => setTimeout(r, 300));
}

async function runFor(
  ds: DataSource,
  writers: number,
  seed: number,
  work: (writer: number, rnd: () => number) => Promise<{ entries: number }>,
): Promise<{ eps: number; entries: number; wal: Wal; own: Wal | null; rels: Map<string, Wal> | null }> {
  await recyclePool(ds);
  const before = await walNow(ds);
  const [{ from }] = (await ds.query(`SELECT pg_current_wal_insert_lsn()::text AS from`)) as { from: string }[];
  const stopAt = Date.now() + SECONDS * 1000;
  const started = process.hrtime.bigint();
  const totals = await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const rnd = prng(seed + w);
      let entries = 0;
      while (Date.now() < stopAt) entries += (await work(w, rnd)).entries;
      return entries;
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await recyclePool(ds);
  const after = await walNow(ds);
  const entries = totals.reduce((s, t) => s + t, 0);
  let own: Wal | null = null;
  const rels = WAL_RELATIONS ? new Map<string, Wal>() : null;
  if (WALDUMP_DIR) {
    const [{ to }] = (await ds.query(`SELECT pg_current_wal_flush_lsn()::text AS to`)) as { to: string }[];
    const w = await ownWal(from, to, rels ?? undefined);
    own = { records: w.records / entries, fpi: w.fpi / entries, bytes: w.bytes / entries };
  }
  return {
    eps: entries / seconds,
    entries,
    wal: { records: (after.records - before.records) / entries, fpi: (after.fpi - before.fpi) / entries, bytes: (after.bytes - before.bytes) / entries },
    own,
    rels,
  };
}

/**
 * The raw side: the same entry and line rows, multi-row INSERTed into trigger-free, FK-free copies
 * of the two tables with the same indexes, one autocommitted statement per transaction (one round
 * trip: the fastest a client can make one durable commit); a single entry's statement is a named
 * prepared statement, like the service's lone post.
 */
const RAW_SQL = `WITH e AS (
     INSERT INTO bench_raw_entries (id, book, sequence, effective_date, recorded_at, memo, link_type, link_id, line_count, prev_hash, hash)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::date[], $5::timestamptz[], $6::text[], $7::text[], $8::text[], $9::int[], $10::text[], $11::text[]))
   INSERT INTO bench_raw_lines (entry_id, line_no, account_id, side, amount, effective_date, sequence)
   SELECT * FROM unnest($12::uuid[], $13::smallint[], $14::bigint[], $15::text[], $16::numeric[], $17::date[], $18::bigint[])`;

async function rawInsert(
  pool: Pool,
  batch: PostingInput[],
  sequenceBase: { next: number },
  accountIds: Map<string, string>,
  newId: () => string,
): Promise<void> {
  const ids = batch.map(() => newId());
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
  await pool.query({
    name: batch.length === 1 ? 'bench_raw_one' : undefined,
    text: RAW_SQL,
    values: [
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
  });
}

async function prepareDatabase(schemas: string[]): Promise<void> {
  await ensureDatabase(URL_);
  const c = new Client({ connectionString: URL_ });
  await c.connect();
  for (const s of schemas) {
    await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await c.query(`CREATE SCHEMA ${s}`);
  }
  await c.end();
}

/** One arm: its data source (search_path = its schema, migrations run), services and chart. */
interface ArmRun {
  arm: Arm;
  ds: DataSource;
  ledger: LedgerPostingService;
  chart: Chart;
  /** One chart per book (the first is `chart`). */
  charts: Chart[];
  accountIds: Map<string, string>;
}

async function openArm(arm: Arm): Promise<ArmRun> {
  const base = dataSourceOptions(URL_, false);
  const ds = new DataSource({ ...base, migrations: arm.migrations, extra: { max: 40, options: `-c search_path=bench_${arm.name} -c track_functions=pl` }, logging: false });
  await ds.initialize();
  const tx = new TransactionScope(ds);
  const accounts = new LedgerAccountsService(tx);
  const ledger = new LedgerPostingService(ds, new Clock(), tx, new MetricsService(ds));
  ledgersBySource.set(ds, ledger);
  arm.configure?.(ledger);
  if (process.env.BENCH_MAX_IN_FLIGHT) ledger.groupCommit.maxInFlight = Number(process.env.BENCH_MAX_IN_FLIGHT);
  if (process.env.BENCH_MAX_BATCH) ledger.groupCommit.maxBatch = Number(process.env.BENCH_MAX_BATCH);
  const charts: Chart[] = [];
  for (let b = 0; b < (arm.books ?? 1); b++) charts.push(await openChart(accounts, ledger, b === 0 ? BOOK : `${BOOK}${b + 1}`));
  const accountRows = (await ds.query(`SELECT id, code FROM ledger_accounts WHERE book = $1`, [BOOK])) as { id: string; code: string }[];
  return { arm, ds, ledger, chart: charts[0], charts, accountIds: new Map(accountRows.map((r) => [r.code, r.id])) };
}

/** SQL giving a new entry id of the arm's kind. */
function idSql(arm: Arm): string {
  return arm.idSql ?? 'gen_random_uuid()';
}

/**
 * History written in SQL (not through the service, which would take minutes): entries of 2 lines
 * of 1.00 between random accounts, chained by linkage (the hashes are placeholders; the bench
 * never runs verify), in chunks of 50,000 per statement. Balance rows are left alone.
 */
async function preload(ds: DataSource, arm: Arm, entriesTable: string, linesTable: string, count: number): Promise<void> {
  const raw = entriesTable !== 'ledger_entries';
  for (let done = 0; done < count; done += 50_000) {
    const n = Math.min(50_000, count - done);
    await ds.query(
      `WITH head AS (${
        raw
          ? `SELECT 1000000000 + ${done}::bigint AS s, repeat('0', 64) AS h`
          : 'SELECT last_sequence AS s, last_hash AS h FROM ledger_books WHERE code = $1'
      }),
            acc AS (SELECT array_agg(id ORDER BY id) AS ids FROM ledger_accounts WHERE book = $1),
            g AS (SELECT i, ${idSql(arm)} AS id, head.s + i AS seq,
                         CASE WHEN i = 1 THEN head.h::text ELSE lpad(to_hex(head.s + i - 1), 64, '0') END AS prev,
                         lpad(to_hex(head.s + i), 64, '0') AS hash,
                         acc.ids[1 + floor(random() * 500)::int] AS a, acc.ids[501 + floor(random() * 500)::int] AS b
                    FROM generate_series(1, $2::int) i, head, acc
                   ORDER BY i),
            e AS (INSERT INTO ${entriesTable} (id, book, sequence, effective_date, recorded_at, memo, line_count, prev_hash, hash${
              entriesTable === 'ledger_entries' ? ', lines_in_statement' : ''
            })
                  SELECT id, $1, seq, '2025-03-31', now(), 'history', 2, prev, hash${entriesTable === 'ledger_entries' ? ', true' : ''} FROM g)
       INSERT INTO ${linesTable} (entry_id, line_no, account_id, side, amount, effective_date, sequence)
       SELECT id, x.no, CASE x.no WHEN 1 THEN a ELSE b END, CASE x.no WHEN 1 THEN 'D' ELSE 'C' END, 1.00, '2025-03-31', seq
         FROM g, (VALUES (1), (2)) AS x(no)`,
      [BOOK, n],
    );
  }
}

interface TriggerStat {
  calls: number;
  total: number;
  self: number;
}

/** The ledger's trigger functions in an arm's schema: calls and time (ms) so far. */
async function triggerStats(r: ArmRun): Promise<Map<string, TriggerStat>> {
  const rows = (await r.ds.query(
    `SELECT funcname, calls::text AS calls, total_time::text AS total, self_time::text AS self FROM pg_stat_user_functions
      WHERE schemaname = $1 AND funcname LIKE 'ledger%' ORDER BY funcname`,
    [`bench_${r.arm.name}`],
  )) as { funcname: string; calls: string; total: string; self: string }[];
  return new Map(rows.map((x) => [x.funcname, { calls: Number(x.calls), total: Number(x.total), self: Number(x.self) }]));
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** WAL per entry is averaged over the rounds (not a median): the full-page images after a checkpoint fall in whichever cell runs then, and belong to the steady state. */
function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const POST = 'post() one entry per call (group commit)';
const MANY = `postMany() ${BATCH} entries per call`;
const RAW1 = 'raw INSERT, 1 entry per transaction';
const RAWN = `raw multi-row INSERT, ${BATCH} entries per transaction (ceiling)`;

async function main(): Promise<void> {
  const arms = ARM_NAMES.map((name) => {
    const arm = ARMS[name];
    if (!arm) throw new Error(`unknown arm ${name}; known: ${Object.keys(ARMS).join(', ')}`);
    return arm;
  });
  await prepareDatabase([...arms.map((a) => `bench_${a.name}`), 'bench_raw']);
  installPgTypeParsers();
  const runs: ArmRun[] = [];
  for (const arm of arms) runs.push(await openArm(arm));
  // The raw side: copies of the current tables in a schema of their own (no triggers, no foreign keys).
  const raw = runs[0];
  await raw.ds.query(`CREATE TABLE bench_raw.bench_raw_entries (LIKE ledger_entries INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING CONSTRAINTS)`);
  await raw.ds.query(`CREATE TABLE bench_raw.bench_raw_lines (LIKE ledger_lines INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING CONSTRAINTS)`);
  if (PRELOAD > 0) {
    for (const r of runs) {
      const t = Date.now();
      await preload(r.ds, r.arm, 'ledger_entries', 'ledger_lines', PRELOAD);
      console.log(`preloaded ${PRELOAD} entries into arm ${r.arm.name} in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    }
  }
  const rawDs = new DataSource({ ...dataSourceOptions(URL_, false), migrationsRun: false, extra: { max: 40, options: `-c search_path=bench_raw,bench_${raw.arm.name}` }, logging: false });
  await rawDs.initialize();
  if (PRELOAD > 0) await preload(rawDs, { ...raw.arm, idSql: RAW_IDS === 'v4' ? undefined : V7_SQL }, 'bench_raw_entries', 'bench_raw_lines', PRELOAD);
  let rawPool = new Pool({ connectionString: URL_, max: 40, options: `-c search_path=bench_raw` });
  // Like the arms' pools, closed after each cell so its backends report their WAL.
  const rawTarget = {
    async query(sql: string): Promise<unknown> {
      return rawDs.query(sql);
    },
    async destroy(): Promise<void> {
      await rawPool.end();
    },
    async initialize(): Promise<void> {
      rawPool = new Pool({ connectionString: URL_, max: 40, options: `-c search_path=bench_raw` });
    },
  } as unknown as DataSource;

  const [{ version }] = (await raw.ds.query('SELECT version()')) as { version: string }[];
  [{ oid: databaseOid }] = (await raw.ds.query(`SELECT oid::text AS oid FROM pg_database WHERE datname = current_database()`)) as { oid: string }[];
  const settings = (await raw.ds.query(
    `SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit','fsync','wal_sync_method','shared_buffers','commit_delay','full_page_writes','checkpoint_timeout','max_wal_size')`,
  )) as { name: string; setting: string }[];
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, node ${process.version}`);
  console.log(`database: ${version}`);
  console.log(`settings: ${settings.map((s) => `${s.name}=${s.setting}`).join(' ')}`);
  console.log(
    `mix: ${MIX} (${MIX === 'pgledger' ? '2 lines, 10% of entries on 1 hot floored account' : `2–4 lines, 10% of lines on ${HOT} hot floored accounts`}), ` +
      `${ACCOUNTS} accounts; ${ROUNDS} interleaved round(s) of ${SECONDS}s cells; writers ${WRITERS.join(',')}; batch ${BATCH}`,
  );
  console.log(`raw side: ${RAW_IDS} ids`);
  console.log(`arms: ${runs.map((r) => `${r.arm.name} (${r.arm.description})`).join('; ')}`);
  console.log(`load average at start: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);

  const cells = new Map<string, Cell>();
  const posted = new Map<string, number>();
  const record = (arm: string, mode: string, writers: number, r: { eps: number; entries: number; wal: Wal; own: Wal | null; rels: Map<string, Wal> | null }) => {
    posted.set(arm, (posted.get(arm) ?? 0) + r.entries);
    const key = `${arm}|${mode}|${writers}`;
    const cell = cells.get(key) ?? (cells.set(key, { arm, mode, writers, eps: [], wal: [], own: [], rels: new Map(), relEntries: 0 }).get(key) as Cell);
    cell.eps.push(r.eps);
    cell.wal.push(r.wal);
    if (r.own) cell.own.push(r.own);
    if (r.rels) {
      cell.relEntries += r.entries;
      for (const [name, w] of r.rels) {
        const t = cell.rels.get(name) ?? { records: 0, fpi: 0, bytes: 0 };
        t.records += w.records;
        t.fpi += w.fpi;
        t.bytes += w.bytes;
        cell.rels.set(name, t);
      }
    }
  };
  if (WAL_RELATIONS) {
    const names = (await raw.ds.query(
      `SELECT pg_relation_filenode(c.oid)::text AS node, n.nspname || '.' || c.relname AS name
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname LIKE 'bench\\_%' AND pg_relation_filenode(c.oid) IS NOT NULL`,
    )) as { node: string; name: string }[];
    for (const r of names) relationNames.set(r.node, r.name);
  }
  const seq = { next: 1 };
  let n = 0;
  for (const r of runs) await recyclePool(r.ds);
  const triggersBefore = new Map(await Promise.all(runs.map(async (r) => [r.arm.name, await triggerStats(r)] as const)));
  const loads: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // The arms' order rotates from round to round.
    const order = runs.map((_, i) => runs[(i + round) % runs.length]);
    for (const writers of WRITERS) {
      for (const a of order) {
        record(
          a.arm.name,
          POST,
          writers,
          await runFor(a.ds, writers, 1000 + round * 100, async (w, rnd) => {
            await a.ledger.post(null, makeEntry(a.charts[w % a.charts.length], rnd, n++));
            return { entries: 1 };
          }),
        );
      }
      record(
        'raw',
        RAW1,
        writers,
        await runFor(rawTarget, writers, 1000 + round * 100, async (_w, rnd) => {
          await rawInsert(rawPool, [makeEntry(raw.chart, rnd, n++)], seq, raw.accountIds, newRawId);
          return { entries: 1 };
        }),
      );
      for (const a of order) {
        record(
          a.arm.name,
          MANY,
          writers,
          await runFor(a.ds, writers, 5000 + round * 100, async (w, rnd) => {
            const batch = Array.from({ length: BATCH }, () => makeEntry(a.charts[w % a.charts.length], rnd, n++));
            await a.ledger.postMany(null, batch);
            return { entries: batch.length };
          }),
        );
      }
      record(
        'raw',
        RAWN,
        writers,
        await runFor(rawTarget, writers, 5000 + round * 100, async (_w, rnd) => {
          const batch = Array.from({ length: BATCH }, () => makeEntry(raw.chart, rnd, n++));
          await rawInsert(rawPool, batch, seq, raw.accountIds, newRawId);
          return { entries: batch.length };
        }),
      );
    }
    loads.push(loadavg()[0].toFixed(1));
    console.log(`round ${round + 1}/${ROUNDS} done (load ${loads[loads.length - 1]})`);
  }

  // Sanity: every posted book is whole (gapless, balanced).
  for (const a of runs) {
    for (const chart of a.charts) {
      const [check] = (await a.ds.query(
        `SELECT (SELECT last_sequence FROM ledger_books WHERE code = $1) AS head, (SELECT count(*) FROM ledger_entries WHERE book = $1) AS entries,
                (SELECT sum(debits) FROM ledger_accounts WHERE book = $1) AS debits, (SELECT sum(credits) FROM ledger_accounts WHERE book = $1) AS credits`,
        [chart.book],
      )) as { head: string; entries: string; debits: string; credits: string }[];
      console.log(`check ${a.arm.name} ${chart.book}: head ${check.head}, entries ${check.entries}, debits ${check.debits}, credits ${check.credits}`);
      if (check.head !== check.entries || check.debits !== check.credits) throw new Error(`book ${chart.book} of arm ${a.arm.name} is not whole`);
    }
  }

  console.log(`1-minute load average after each round: ${loads.join(' / ')}`);

  // Time in the ledger's PL/pgSQL trigger functions (track_functions = pl on the arms' sessions).
  console.log('\n| arm | trigger function | calls per entry | ms per entry (total) | ms per entry (self) |\n|---|---|---:|---:|---:|');
  for (const r of runs) {
    await recyclePool(r.ds);
    const before = triggersBefore.get(r.arm.name) as Map<string, TriggerStat>;
    const entries = posted.get(r.arm.name) as number;
    for (const [name, after] of await triggerStats(r)) {
      const b = before.get(name) ?? { calls: 0, total: 0, self: 0 };
      console.log(
        `| ${r.arm.name} | ${name} | ${((after.calls - b.calls) / entries).toFixed(3)} | ${((after.total - b.total) / entries).toFixed(4)} | ${((after.self - b.self) / entries).toFixed(4)} |`,
      );
    }
  }

  const cellOf = (arm: string, mode: string, writers: number) => cells.get(`${arm}|${mode}|${writers}`) as Cell;
  const ownCols = WALDUMP_DIR ? ' own WAL/entry (mean): bytes | records | FPI |' : '';
  console.log(`\n| arm | mode | writers | entries/s (median) | the rounds | cluster WAL/entry (mean): bytes | records | FPI |${ownCols}`);
  console.log(`|---|---|---:|---:|---|---:|---:|---:|${WALDUMP_DIR ? '---:|---:|---:|' : ''}`);
  for (const writers of WRITERS) {
    for (const mode of [POST, RAW1, MANY, RAWN]) {
      for (const arm of mode === RAW1 || mode === RAWN ? ['raw'] : runs.map((r) => r.arm.name)) {
        const c = cellOf(arm, mode, writers);
        console.log(
          `| ${arm} | ${mode} | ${writers} | ${fmt(median(c.eps))} | ${c.eps.map(fmt).join(' / ')} | ${fmt(mean(c.wal.map((w) => w.bytes)))} | ` +
            `${mean(c.wal.map((w) => w.records)).toFixed(1)} | ${mean(c.wal.map((w) => w.fpi)).toFixed(2)} |` +
            (c.own.length
              ? ` ${fmt(mean(c.own.map((w) => w.bytes)))} | ${mean(c.own.map((w) => w.records)).toFixed(1)} | ${mean(c.own.map((w) => w.fpi)).toFixed(2)} |`
              : ''),
        );
      }
    }
  }

  if (WAL_RELATIONS) {
    // Own WAL per entry by relation, summed over the rounds (relations under 1% of a cell's bytes folded into "(rest)").
    console.log('\n| arm | mode | writers | relation | bytes/entry | records/entry | FPI/entry |\n|---|---|---:|---|---:|---:|---:|');
    for (const c of cells.values()) {
      if (!c.relEntries) continue;
      const sum = [...c.rels.values()].reduce((s, w) => s + w.bytes, 0);
      const rest: Wal = { records: 0, fpi: 0, bytes: 0 };
      const rows = [...c.rels.entries()].sort((a, b) => b[1].bytes - a[1].bytes);
      for (const [name, w] of rows) {
        if (w.bytes < sum / 100) {
          rest.records += w.records;
          rest.fpi += w.fpi;
          rest.bytes += w.bytes;
          continue;
        }
        console.log(`| ${c.arm} | ${c.mode} | ${c.writers} | ${name} | ${fmt(w.bytes / c.relEntries)} | ${(w.records / c.relEntries).toFixed(2)} | ${(w.fpi / c.relEntries).toFixed(3)} |`);
      }
      if (rest.bytes) console.log(`| ${c.arm} | ${c.mode} | ${c.writers} | (rest) | ${fmt(rest.bytes / c.relEntries)} | ${(rest.records / c.relEntries).toFixed(2)} | ${(rest.fpi / c.relEntries).toFixed(3)} |`);
    }
  }

  // Ratios within each round (same load), then their median.
  console.log('\n| arm | writers | post() / raw 1-entry INSERT (median; rounds) | postMany / ceiling (median; rounds) |');
  console.log('|---|---:|---|---|');
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  for (const writers of WRITERS) {
    const raw1 = cellOf('raw', RAW1, writers).eps;
    const rawN = cellOf('raw', RAWN, writers).eps;
    for (const r of runs) {
      const single = cellOf(r.arm.name, POST, writers).eps.map((x, i) => x / raw1[i]);
      const many = cellOf(r.arm.name, MANY, writers).eps.map((x, i) => x / rawN[i]);
      console.log(`| ${r.arm.name} | ${writers} | ${pct(median(single))} (${single.map(pct).join(' / ')}) | ${pct(median(many))} (${many.map(pct).join(' / ')}) |`);
    }
  }
  if (runs.length > 1) {
    console.log(`\n| arm / ${runs[0].arm.name} | mode | writers | entries/s ratio (median of rounds; rounds) |`);
    console.log('|---|---|---:|---|');
    for (const writers of WRITERS) {
      for (const mode of [POST, MANY]) {
        const ref = cellOf(runs[0].arm.name, mode, writers).eps;
        for (const r of runs.slice(1)) {
          const ratio = cellOf(r.arm.name, mode, writers).eps.map((x, i) => x / ref[i]);
          console.log(`| ${r.arm.name} | ${mode} | ${writers} | ${median(ratio).toFixed(2)}× (${ratio.map((x) => x.toFixed(2)).join(' / ')}) |`);
        }
      }
    }
  }
  for (const r of runs) {
    await r.ledger.releaseConnections();
    await r.ds.destroy();
  }
  await rawPool.end();
  await rawDs.destroy();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
