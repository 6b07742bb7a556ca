import { Figures, seconds } from './support/figures';
import { PrivateCluster } from './support/postgres-cluster';
import { waitFor } from './support/processes';
import { FAULT_QUARTER, seedQuarterWorld } from './support/quarter-world';
import { PrivateRedis } from './support/redis-server';
import { ServiceProcess } from './support/service';

/**
 * Issue 12 "Reliability", second test: the quarter schedule runs through BullMQ on a private
 * redis-server. The service dies inside a duty of a scheduled close (the start-up catch-up),
 * Redis is flushed and restarted — the job, its scheduler and its history are gone — and the
 * service comes back; later Redis is flushed again under the running service. The close still
 * completes, and every duty applied exactly once: the run table in PostgreSQL decides, not the queue.
 */
describe('Redis flushed and restarted in the middle of a scheduled quarter close: each duty runs once (issue 12)', () => {
  const figures = new Figures('quarter schedule under Redis loss (quarter-redis.chaos-spec.ts)');
  let cluster: PrivateCluster;
  let redis: PrivateRedis;
  const services: ServiceProcess[] = [];
  const database = 'rf_quarter_redis';
  const SCHEDULE = { QUARTER_CHECK_SECONDS: '2', JOB_SCHEDULE_CHECK_SECONDS: '1' };

  const serviceWith = (env: Record<string, string>) => {
    const s = new ServiceProcess({ databaseUrl: cluster.url(database), redisUrl: redis.url, env });
    services.push(s);
    return s;
  };
  const completedJobs = async () => Number((await redis.cli(['ZCARD', 'reserve:reserve-jobs:completed'])).trim() || '0');

  beforeAll(async () => {
    cluster = await PrivateCluster.start();
    redis = await PrivateRedis.start();
    await cluster.createDatabase(database);
    const s = serviceWith({});
    await s.start();
    await seedQuarterWorld(s);
    // The first close is by hand (it fixes where the books start); the schedule goes on from it.
    const first = await s.request('POST', '/v1/quarters/2026Q2/close', { timeoutMs: 60_000 });
    expect(first.status).toBe(200);
    await s.stop();
  });

  afterAll(async () => {
    figures.print();
    for (const s of services) await s.stop();
    await redis?.destroy();
    await cluster?.destroy();
  });

  it('dies inside a scheduled duty, Redis is wiped twice, and the close completes with every duty applied once', async () => {
    const dying = serviceWith({ ...SCHEDULE, QUARTER_FAULT_POINT: 'loss_rates:inside' });
    // The start-up catch-up runs as a BullMQ job and kills the process inside loss_rates, possibly
    // before /health has answered.
    await dying.start().catch(() => undefined);
    await waitFor('the scheduled close to reach loss_rates', async () => !dying.running, 30_000);
    expect(dying.unplannedExits).toEqual(['exit code null signal SIGKILL']);
    const partial = await cluster.query<{ duty: string; status: string }>(database, `SELECT duty, status FROM quarter_duties WHERE quarter = $1 ORDER BY position`, [FAULT_QUARTER]);
    expect(partial.find((d) => d.duty === 'custody_fee')?.status).toBe('done');
    expect(partial.find((d) => d.duty === 'loss_rates')?.status).toBe('running');

    await redis.flushAll();
    await redis.stopServer();
    await redis.startServer();

    const back = serviceWith(SCHEDULE);
    const started = Date.now();
    await back.start();
    await waitFor(
      'the scheduled close to complete',
      async () => {
        const res = await back.request('GET', `/v1/quarters/${FAULT_QUARTER}`);
        return res.status === 200 && (res.json as { status: string }).status === 'completed';
      },
      60_000,
      200,
    );
    figures.add({ step: 'restart to completed close', seconds: seconds(Date.now() - started) });

    // Redis loses everything again under the running service: the scheduler is re-created and keeps passing.
    await redis.flushAll();
    await waitFor('two schedule passes after the flush', async () => (await completedJobs()) >= 2, 30_000, 250);

    const run = (await back.request('GET', `/v1/quarters/${FAULT_QUARTER}`)).json as {
      status: string;
      startedBy: string;
      duties: { duty: string; status: string; attempts: number }[];
      custodyFee: { entryIds: string[]; total: string };
      lossRates: { banks: unknown[]; agencies: unknown[] };
    };
    expect(run.status).toBe('completed');
    // Started by the first pass after start-up: the scheduler's immediate run or the catch-up, whichever came first.
    expect(['schedule', 'catch-up']).toContain(run.startedBy);
    expect(run.duties.map((d) => [d.duty, d.status, d.attempts])).toEqual(run.duties.map((d) => [d.duty, 'done', 1]));
    expect(run.custodyFee.total).toBe('320000.00');
    const feeEntries = await cluster.query<{ n: string }>(database, `SELECT count(*) AS n FROM ledger_entries WHERE book = 'reserve' AND effective_date = '2026-09-30'`);
    expect(Number(feeEntries[0].n)).toBe(run.custodyFee.entryIds.length);
    const reasons = await cluster.query<{ n: string }>(database, `SELECT count(*) AS n FROM party_status_reasons WHERE source = 'loss_rate' AND quarter = $1`, [FAULT_QUARTER]);
    expect(Number(reasons[0].n)).toBe(2);
    expect(run.lossRates.banks).toHaveLength(2);
    const verify = await back.request('GET', '/v1/ledger/verify?book=reserve');
    expect((verify.json as { ok: boolean }).ok).toBe(true);
    expect(back.processErrors).toEqual([]);
  });
});
