/**
 * Benchmark: the placement proposal (issue 13 "Performance": 100 banks, under 1 s including the
 * input aggregation over 1,000,000 loans) on the programme `npm run bench:quarter-close` leaves in
 * its database (same data as the quarter close: 100 banks, 1,000,000 loans, a report row per loan,
 * 2025Q4 closed). Reuses that database as it is (nothing dropped but what a round changes: one
 * loan's confirmation-letter date, toggled). Each round times
 *
 * - the outstanding balances alone (one pass over the same loans and report rows, as the reserve
 *   band reads them): the yardstick;
 * - the trustee's recompute of the 2025Q4 proposal right after a change to a loan dated before the
 *   quarter end, so the stored loan figures are stale and the pass runs ("stale");
 * - the same recompute again with nothing changed, so the stored figures are reused ("current");
 *
 * and prints the times and the median ratios to the pass.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/reserve_bench_quarter npm run bench:placement
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap';
import { OutstandingService } from '../src/loans/outstanding.service';
import { PlacementService } from '../src/placement/placement.service';

const DB_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/reserve_bench_quarter';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function main(): Promise<void> {
  const app = await createApp(
    {
      config: { databaseUrl: DB_URL, redisUrl: null, dataDir: ':memory:', bootstrapAdminToken: null, logLevel: 'warn', heartbeatSeconds: 0, quarterCheckSeconds: 0 },
      jobsPrefix: `bench-${randomUUID().slice(0, 8)}`,
    },
    false,
  );
  await app.init();
  const [{ loans, banks }] = (await app.get(DataSource).query(`SELECT (SELECT count(*) FROM loans)::int AS loans, (SELECT count(*) FROM banks)::int AS banks`)) as { loans: number; banks: number }[];
  if (loans < 1000) throw new Error(`${DB_URL} holds ${loans} loans: run npm run bench:quarter-close against it first`);
  const placements = app.get(PlacementService);
  const outstanding = app.get(OutstandingService);
  const staleMs: number[] = [];
  const currentMs: number[] = [];
  const passMs: number[] = [];
  const dataSource = app.get(DataSource);
  let transfers = 0;
  for (let i = 0; i < ROUNDS; i++) {
    let started = Date.now();
    await outstanding.asOf('2025-12-31');
    passMs.push(Date.now() - started);
    // A real change to a loan disbursed before the quarter end: the stored figures are stale.
    await dataSource.query(
      `UPDATE loans SET confirmation_letter_on = CASE WHEN confirmation_letter_on IS NULL THEN DATE '2025-01-01' END
        WHERE id = (SELECT id FROM loans WHERE disbursed_on <= '2025-12-31' ORDER BY id LIMIT 1)`,
    );
    started = Date.now();
    await placements.recompute('2025Q4');
    staleMs.push(Date.now() - started);
    started = Date.now();
    const proposal = await placements.recompute('2025Q4');
    currentMs.push(Date.now() - started);
    transfers = proposal.transfers.length;
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  console.log(`placement proposal of 2025Q4: ${banks} banks, ${loans} loans, ${transfers} transfers`);
  console.log(`proposal, stored figures stale (ms):   ${staleMs.join(', ')} → median ${median(staleMs)}`);
  console.log(`proposal, stored figures current (ms): ${currentMs.join(', ')} → median ${median(currentMs)}`);
  console.log(`outstanding pass (ms):                 ${passMs.join(', ')} → median ${median(passMs)}`);
  console.log(`median ratios to one pass: stale ${(median(staleMs) / median(passMs)).toFixed(2)}, current ${(median(currentMs) / median(passMs)).toFixed(3)}`);
  console.log(`${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}`);
  await app.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
