import { Figures, seconds } from './support/figures';
import { PrivateCluster } from './support/postgres-cluster';
import { PrivateRedis } from './support/redis-server';
import { sleep, waitFor } from './support/processes';
import { ServiceProcess } from './support/service';

interface Health {
  status: string;
  database: { status: string };
  queue: { status: string; mode: string; lastHeartbeat: { beatAt: string; beats: number } | null };
}

/**
 * Issue 10 item 7: Redis stops, starts empty, or is flushed (FLUSHALL) under a running service
 * whose BullMQ heartbeat is scheduled every second. `/health` must answer within 1 s whatever is
 * down (it hung for > 40 s) and report the queue down while Redis is; the repeatable schedule
 * must come back by itself (it was gone until a restart), so the heartbeat beats again.
 */
describe('Redis faults: /health within 1 s, the queue reported down, schedules re-created without a restart', () => {
  const figures = new Figures('Redis faults (redis-faults.chaos-spec.ts)');
  let cluster: PrivateCluster;
  let redis: PrivateRedis;
  let service: ServiceProcess;
  const polls: { at: number; ms: number; status: number | null; queue: string | null }[] = [];
  let polling = false;
  let poller: Promise<void> = Promise.resolve();

  const health = async () => {
    const res = await service.request('GET', '/health', { timeoutMs: 5_000 });
    return { status: res.status, body: res.json as Health, ms: res.ms };
  };
  const beats = async () => (await health()).body.queue.lastHeartbeat?.beats ?? 0;

  /** Milliseconds until the heartbeat has beaten twice more than now. */
  async function beatsAgainMs(timeoutMs = 30_000): Promise<number> {
    const from = await beats();
    return waitFor('two more heartbeats', async () => (await beats()) >= from + 2, timeoutMs, 200);
  }

  beforeAll(async () => {
    cluster = await PrivateCluster.start();
    redis = await PrivateRedis.start();
    service = new ServiceProcess({
      databaseUrl: await cluster.createDatabase('rf_chaos_redis'),
      redisUrl: redis.url,
      env: { HEARTBEAT_SECONDS: '1', JOB_SCHEDULE_CHECK_SECONDS: '1' },
    });
    await service.start();
    polling = true;
    poller = (async () => {
      while (polling) {
        const at = Date.now();
        try {
          const h = await health();
          polls.push({ at, ms: h.ms, status: h.status, queue: h.body?.queue?.status ?? null });
        } catch {
          polls.push({ at, ms: Date.now() - at, status: null, queue: null });
        }
        await sleep(100);
      }
    })();
  });

  afterAll(async () => {
    polling = false;
    await poller;
    figures.print();
    await service?.stop();
    await redis?.destroy();
    await cluster?.destroy();
  });

  function expectHealthAlwaysFast(from: number): { polls: number; slowest: number } {
    const window = polls.filter((p) => p.at >= from);
    const slow = window.filter((p) => p.status === null || p.ms > 1_000);
    expect(slow).toEqual([]);
    expect(service.running).toBe(true);
    expect(service.unplannedExits).toEqual([]);
    expect(service.processErrors).toEqual([]);
    return { polls: window.length, slowest: Math.max(0, ...window.map((p) => p.ms)) };
  }

  it('the BullMQ heartbeat beats every second', async () => {
    const h = await health();
    expect(h.body.queue).toMatchObject({ mode: 'bullmq', status: 'up' });
    await beatsAgainMs(15_000);
  });

  it('Redis stopped: /health answers within 1 s with the queue down (503); writes that need no queue still work', async () => {
    const from = Date.now();
    await redis.stopServer();
    const detected = await waitFor('queue reported down', async () => (await health()).body.queue.status === 'down', 5_000, 50);
    const h = await health();
    expect(h.status).toBe(503);
    expect(h.body).toMatchObject({ status: 'degraded', database: { status: 'up' }, queue: { status: 'down' } });
    expect(h.ms).toBeLessThan(1_000);
    const write = await service.request('POST', '/v1/banks', { body: { code: `RB${Date.now()}`, name: 'Bank written while Redis is down' } });
    expect(write.status).toBe(201);
    await sleep(3_000);
    const stats = expectHealthAlwaysFast(from);
    figures.add({ fault: 'redis-server stopped (3 s)', 'health polls': stats.polls, 'slowest health ms': stats.slowest, 'detected down s': seconds(detected), 'heartbeat back s': '' });
  });

  it('Redis started again (empty: no persistence): queue up, the schedule re-created, the heartbeat beats again', async () => {
    const from = Date.now();
    await redis.startServer();
    const up = await waitFor('queue reported up', async () => (await health()).body.queue.status === 'up', 15_000, 100);
    const beating = await beatsAgainMs();
    const stats = expectHealthAlwaysFast(from);
    figures.add({ fault: 'redis-server started empty', 'health polls': stats.polls, 'slowest health ms': stats.slowest, 'detected down s': `up after ${seconds(up)}`, 'heartbeat back s': seconds(Date.now() - from) });
    expect(beating).toBeLessThan(30_000);
  });

  it('FLUSHALL: the schedule is re-created without a restart and the heartbeat beats again', async () => {
    const from = Date.now();
    await redis.flushAll();
    expect((await redis.cli(['DBSIZE'])).trim()).toMatch(/^\d+$/);
    await beatsAgainMs();
    const schedulers = await redis.cli(['--scan', '--pattern', '*reserve-jobs:repeat*']);
    expect(schedulers.trim()).not.toBe('');
    const stats = expectHealthAlwaysFast(from);
    figures.add({ fault: 'FLUSHALL', 'health polls': stats.polls, 'slowest health ms': stats.slowest, 'detected down s': 'n/a (connection stays up)', 'heartbeat back s': seconds(Date.now() - from) });
    expect(service.starts).toBe(1);
  });
});
