/**
 * Benchmark: `verify` of one book (issue 10 item 5), through LedgerAuditService on real
 * PostgreSQL: a whole walk (full=true) against an incremental one (only the entries posted since
 * the last verified head), for a book of N entries, and the time of the balance cross-check that
 * every verify runs; and 25 concurrent full verifies, each walking on its own (as before) against
 * one shared run. Ratios within one run are what count (the machine is shared).
 *
 *   npm run bench:verify                        # postgres://postgres@127.0.0.1:5432/reserve_bench, N = 3,000 and 20,000
 *   BENCH_DATABASE_URL=postgres://… BENCH_ENTRIES=3000,50000 BENCH_NEW=10 npm run bench:verify
 *
 * The database named in the URL is created when missing; the script opens books of its own
 * (unique codes) and never deletes anything.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap';
import { Money } from '../src/common/money/money';
import { LedgerAccountsService } from '../src/ledger/ledger-accounts.service';
import { LedgerAuditService } from '../src/ledger/ledger-audit.service';
import { LedgerPostingService } from '../src/ledger/ledger-posting.service';
import { balanceMismatches } from '../src/ledger/ledger-rows';
import { ensureDatabase } from './support/database';

const DB_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/reserve_bench';
const SIZES = (process.env.BENCH_ENTRIES ?? '3000,20000').split(',').map(Number);
const NEW = Number(process.env.BENCH_NEW ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONCURRENT = 25;


const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const started = process.hrtime.bigint();
  const value = await f();
  return [Number(process.hrtime.bigint() - started) / 1e6, value];
}

async function main(): Promise<void> {
  await ensureDatabase(DB_URL);
  const app = await createApp(
    {
      config: { databaseUrl: DB_URL, redisUrl: null, dataDir: ':memory:', bootstrapAdminToken: null, logLevel: 'silent', heartbeatSeconds: 0 },
      jobsPrefix: `bench-${randomUUID().slice(0, 8)}`,
    },
    false,
  );
  await app.init();
  const ds = app.get(DataSource);
  const accounts = app.get(LedgerAccountsService);
  const posting = app.get(LedgerPostingService);
  const audit = app.get(LedgerAuditService);
  const post = async (book: string, n: number) => {
    for (let done = 0; done < n; done += 500) {
      const batch = Array.from({ length: Math.min(500, n - done) }, (_, i) => ({
        book,
        effectiveDate: '2025-02-01',
        memo: `bench ${done + i}`,
        lines: [
          { account: `${book}:cash`, debit: Money.of(((done + i) % 997) + 1) },
          { account: `${book}:capital`, credit: Money.of(((done + i) % 997) + 1) },
        ],
      }));
      await posting.postMany(null, batch);
    }
  };

  const rows: string[] = [];
  for (const n of SIZES) {
    const book = `bv${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    await accounts.ensureBook(book, 'verify bench');
    await accounts.ensureAccount({ book, code: `${book}:cash`, name: 'Cash', type: 'asset', normalSide: 'debit', floor: null });
    await accounts.ensureAccount({ book, code: `${book}:capital`, name: 'Capital', type: 'equity', normalSide: 'credit', floor: null });
    await post(book, n);
    const full: number[] = [];
    const incremental: number[] = [];
    const nothingNew: number[] = [];
    const crossCheck: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const [f, report] = await timed(() => audit.verify(book, { full: true }));
      if (!report.ok) throw new Error(`verify of ${book} failed: ${JSON.stringify(report.firstBroken ?? report.balances)}`);
      full.push(f);
      await post(book, NEW);
      const [i, inc] = await timed(() => audit.verify(book));
      if (!inc.ok || inc.walk.entries !== NEW) throw new Error(`incremental verify walked ${inc.walk.entries}`);
      incremental.push(i);
      nothingNew.push((await timed(() => audit.verify(book)))[0]);
      crossCheck.push((await timed(() => balanceMismatches(ds, book)))[0]);
    }
    // 25 concurrent full verifies: each its own walk (as before single flight: the private walk
    // called directly) against the service's shared run.
    const walk = (audit as unknown as { walk: (book: string, full: boolean, signal: AbortSignal) => Promise<unknown> }).walk.bind(audit);
    // Every call settles before the next measure (a failed one's siblings would still hold connections).
    const attempt = async (f: () => Promise<unknown>[]) => {
      const [ms, settled] = await timed(() => Promise.allSettled(f()));
      const failed = settled.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      return failed.length ? `${ms.toFixed(0)} ms, ${failed.length} failed (${String((failed[0].reason as Error).message)})` : `${ms.toFixed(0)} ms`;
    };
    const separate = await attempt(() => Array.from({ length: CONCURRENT }, () => walk(book, true, new AbortController().signal)));
    const shared = await attempt(() => Array.from({ length: CONCURRENT }, () => audit.verify(book, { full: true })));
    const f = median(full);
    const i = median(incremental);
    rows.push(
      `| ${n.toLocaleString('en-US')} | ${f.toFixed(0)} ms | ${i.toFixed(1)} ms (${NEW} new) | ${median(nothingNew).toFixed(1)} ms | ${median(crossCheck).toFixed(1)} ms | ${(f / i).toFixed(0)}× | ${separate} | ${shared} |`,
    );
  }
  await app.close();
  process.stdout.write(
    [
      `verify bench: ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)}, Node ${process.version}, median of ${RUNS}`,
      `| entries | full walk | incremental | nothing new | balance cross-check alone | full ÷ incremental | ${CONCURRENT} concurrent full, one walk each | ${CONCURRENT} concurrent full, single flight |`,
      '|---|---|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

main().catch((error) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
