import { request } from 'node:http';
import { Figures, seconds } from './support/figures';
import { Findings } from './support/known-defects';
import { PrivateCluster } from './support/postgres-cluster';
import { sleep, waitFor } from './support/processes';
import { CHAOS_ADMIN_TOKEN, ServiceProcess } from './support/service';

/**
 * Issue 10 item 5: many concurrent whole-book reads — `GET /v1/ledger/verify` and
 * `GET /v1/ledger/export` — on a book of a few thousand entries, some of whose clients hang up
 * early, while `/health` is polled every 100 ms. /health must answer within 1 s throughout with
 * the database up (25 concurrent verifies used to fail it, and 500 left every pool connection
 * busy after the clients had gone), and afterwards no connection may stay busy: downloads whose
 * client hung up give their connection back at once, not when the server's
 * idle_in_transaction_session_timeout (60 s, left at its default here) ends their transaction.
 */
describe('concurrent verify and export on a few-thousand-entry book: /health within 1 s, the pool freed afterwards', () => {
  const database = 'rf_chaos_reads';
  const figures = new Figures('Concurrent heavy reads (heavy-reads.chaos-spec.ts)');
  const ENTRIES = 3_000;
  let cluster: PrivateCluster;
  let service: ServiceProcess;
  const book = `hr${Date.now().toString(36)}`;

  beforeAll(async () => {
    cluster = await PrivateCluster.start();
    service = new ServiceProcess({ databaseUrl: await cluster.createDatabase(database), env: { HEAVY_READS_MAX: process.env.HR_MAX ?? '4' } });
    await service.start();
    const ok = async (p: ReturnType<ServiceProcess['request']>) => {
      const r = await p;
      if (r.status >= 300) throw new Error(`${r.status} ${r.text.slice(0, 300)}`);
    };
    await ok(service.request('POST', '/v1/ledger/books', { body: { code: book, name: 'heavy reads' } }));
    await ok(service.request('POST', '/v1/ledger/accounts', { body: { book, code: `${book}:cash`, name: 'Cash', type: 'asset' } }));
    await ok(service.request('POST', '/v1/ledger/accounts', { body: { book, code: `${book}:capital`, name: 'Capital', type: 'equity' } }));
    for (let done = 0; done < ENTRIES; done += 1_000) {
      const entries = Array.from({ length: 1_000 }, (_, i) => ({
        book,
        effectiveDate: '2025-02-01',
        memo: `entry ${done + i}`,
        lines: [
          { account: `${book}:cash`, debit: `${(done + i) % 997}.25` },
          { account: `${book}:capital`, credit: `${(done + i) % 997}.25` },
        ],
      }));
      await ok(service.request('POST', '/v1/ledger/entries/batch', { body: { entries }, timeoutMs: 120_000 }));
    }
  });

  afterAll(async () => {
    figures.print();
    await service?.stop();
    await cluster?.destroy();
  });

  /**
   * A GET whose client hangs up after `abortAfterMs` (if given), or as soon as the first bytes of
   * the answer arrive (`'first-bytes'`: a download abandoned half-way); resolves with the status
   * or 'aborted'.
   */
  function heavyGet(path: string, abortAfterMs?: number | 'first-bytes'): Promise<{ status: number | 'aborted' | 'error'; ms: number; bytes: number }> {
    const started = Date.now();
    return new Promise((resolve) => {
      let bytes = 0;
      const req = request({ host: '127.0.0.1', port: service.port, path, method: 'GET', headers: { Authorization: `Bearer ${CHAOS_ADMIN_TOKEN}` }, agent: false }, (res) => {
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (abortAfterMs === 'first-bytes') req.destroy();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Date.now() - started, bytes }));
        res.on('error', () => resolve({ status: 'aborted', ms: Date.now() - started, bytes }));
      });
      req.on('error', () => resolve({ status: abortAfterMs ? 'aborted' : 'error', ms: Date.now() - started, bytes }));
      if (typeof abortAfterMs === 'number') setTimeout(() => req.destroy(), abortAfterMs);
      req.end();
    });
  }

  it(`60 verifies and 30 exports at once (a third hanging up early): /health answers within 1 s, database up, throughout`, async () => {
    const health = pollHealth();
    const started = Date.now();
    const calls = [
      ...Array.from({ length: 60 }, (_, i) => heavyGet(`/v1/ledger/verify?book=${book}`, i % 3 === 0 ? 150 : undefined)),
      ...Array.from({ length: 30 }, (_, i) => heavyGet(`/v1/ledger/export?book=${book}&format=${i % 2 ? 'csv' : 'xlsx'}`, i % 3 === 0 ? 'first-bytes' : undefined)),
    ];
    const results = await Promise.all(calls);
    const wall = Date.now() - started;
    const polls = await health.stop();

    const slow = polls.filter((p) => p.status !== 200 || p.ms > 1_000 || p.database !== 'up');
    expect(slow).toEqual([]);
    const statuses: Record<string, number> = {};
    for (const r of results) statuses[String(r.status)] = (statuses[String(r.status)] ?? 0) + 1;
    // Every answered read is a 200 or, beyond the gate's queue, a 503 SERVICE.BUSY; never a 500.
    expect(results.filter((r) => typeof r.status === 'number' && r.status !== 200 && r.status !== 503)).toEqual([]);
    expect(results.filter((r) => r.status === 'error')).toEqual([]);
    expect(service.running).toBe(true);
    expect(service.processErrors).toEqual([]);

    // Afterwards the pool is free again: no connection of the service stays busy, well before the
    // server's own idle-in-transaction timeout (60 s) could have ended a forgotten transaction.
    const settled = await waitFor('no busy connection', async () => (await busyConnections()).busy === 0, 10_000, 200);
    const write = await service.request('POST', '/v1/ledger/entries', {
      body: { book, effectiveDate: '2025-02-02', memo: 'after the storm', lines: [{ account: `${book}:cash`, debit: '1.00' }, { account: `${book}:capital`, credit: '1.00' }] },
      timeoutMs: 2_000,
    });
    expect(write.status).toBe(201);
    const verify = await service.request('GET', `/v1/ledger/verify?book=${book}`);
    expect(verify.json).toMatchObject({ ok: true, entries: ENTRIES + 1 });
    expect(new Findings('heavy-reads').failing()).toEqual([]);

    figures.add({
      load: `${calls.length} concurrent whole-book reads on ${ENTRIES} entries (${results.filter((r) => r.status === 'aborted').length} clients hung up)`,
      answers: JSON.stringify(statuses),
      'wall s': seconds(wall),
      'health polls': polls.length,
      'slowest health ms': Math.max(...polls.map((p) => p.ms)),
      'pool idle after s': seconds(settled),
    });
  });

  it('100 concurrent verifies (a third with full=true): /health within 1 s throughout; one walk per book and kind at a time', async () => {
    const health = pollHealth();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => heavyGet(`/v1/ledger/verify?book=${book}${i % 3 === 0 ? '&full=true' : ''}`)));
    const wall = Date.now() - started;
    const polls = await health.stop();
    expect(polls.filter((p) => p.status !== 200 || p.ms > 1_000 || p.database !== 'up')).toEqual([]);
    const statuses: Record<string, number> = {};
    for (const r of results) statuses[String(r.status)] = (statuses[String(r.status)] ?? 0) + 1;
    expect(results.filter((r) => r.status !== 200 && r.status !== 503)).toEqual([]);
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    await waitFor('no busy connection', async () => (await busyConnections()).busy === 0, 10_000, 200);
    expect(service.processErrors).toEqual([]);
    figures.add({
      load: `100 concurrent verifies on ${ENTRIES + 1} entries (34 full)`,
      answers: JSON.stringify(statuses),
      'wall s': seconds(wall),
      'health polls': polls.length,
      'slowest health ms': Math.max(...polls.map((p) => p.ms)),
      'slowest verify ms': Math.max(...results.map((r) => r.ms)),
    });
  });

  it('10 downloads abandoned after their first bytes leave 0 busy connections', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => heavyGet(`/v1/ledger/export?book=${book}&format=${i % 2 ? 'csv' : 'xlsx'}`, 'first-bytes')));
    expect(results.filter((r) => r.bytes === 0)).toEqual([]);
    const gone = Date.now();
    // Bounded at 10 s: a transaction left open would last until the server's 60 s timeout.
    // The state the wait saw, not a second look: a seal pass of the exports' audit rows may run
    // a moment later (docs/audit.md), and that is not a connection the downloads left behind.
    let after = { busy: -1, idleInTransaction: -1 };
    const settled = await waitFor(
      'no busy connection',
      async () => {
        after = await busyConnections();
        return after.busy === 0 && after.idleInTransaction === 0;
      },
      10_000,
      100,
    );
    expect(after).toEqual({ busy: 0, idleInTransaction: 0 });
    figures.add({
      load: `10 exports of ${ENTRIES + 1} entries abandoned after their first bytes`,
      'connections busy after': after.busy,
      'idle in transaction after': after.idleInTransaction,
      'pool idle after s': seconds(Math.max(settled, Date.now() - gone)),
    });
  });

  /** Connections of the service that are not idle (running, or idle inside a transaction). */
  async function busyConnections(): Promise<{ busy: number; idleInTransaction: number }> {
    const [r] = await cluster.query<{ busy: number; iit: number }>(
      'postgres',
      `SELECT count(*) FILTER (WHERE state <> 'idle')::int AS busy, count(*) FILTER (WHERE state LIKE 'idle in transaction%')::int AS iit
         FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`,
      [database],
    );
    return { busy: r.busy, idleInTransaction: r.iit };
  }

  /** Polls /health every 100 ms until stopped; the polls. */
  function pollHealth(): { stop: () => Promise<{ ms: number; status: number | null; database: string | null }[]> } {
    const polls: { ms: number; status: number | null; database: string | null }[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        try {
          const h = await service.request('GET', '/health', { timeoutMs: 5_000 });
          polls.push({ ms: h.ms, status: h.status, database: (h.json as { database?: { status: string } })?.database?.status ?? null });
        } catch {
          polls.push({ ms: 5_000, status: null, database: null });
        }
        await sleep(100);
      }
    })();
    return {
      stop: async () => {
        polling = false;
        await poller;
        return polls;
      },
    };
  }
});
