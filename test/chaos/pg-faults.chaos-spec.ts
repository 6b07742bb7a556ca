import { Figures, seconds } from './support/figures';
import { LedgerLoad, Outcome } from './support/ledger-load';
import { PrivateCluster } from './support/postgres-cluster';
import { sleep, waitFor } from './support/processes';
import { ServiceProcess } from './support/service';

/**
 * Issue 10 items 3 and 4: PostgreSQL goes away under load — an immediate stop (every backend
 * killed, crash recovery on start), a fast restart, every backend terminated at once, and a storm
 * of terminations every 50 ms for 5 s — on a private cluster this spec starts itself, with the
 * service as a child process and a client writing entries and accounts (each with an
 * Idempotency-Key) and reading balances throughout.
 *
 * The service must never exit, answer 503 with Retry-After and a stable code while the database
 * is away (never 500), recover by itself once it is back (the recovery time is measured), and
 * apply nothing twice: every write that got no clear answer is retried with its own key, then the
 * journal is counted per key, the hash chain verified and the trial balance checked.
 */
describe('PostgreSQL faults under load: no exit, 503 while down, recovery without a restart, nothing applied twice', () => {
  const database = 'rf_chaos_pg';
  const figures = new Figures('PostgreSQL faults (pg-faults.chaos-spec.ts)');
  let cluster: PrivateCluster;
  let service: ServiceProcess;
  let load: LedgerLoad;

  beforeAll(async () => {
    cluster = await PrivateCluster.start();
    const url = await cluster.createDatabase(database);
    service = new ServiceProcess({ databaseUrl: url, env: { DB_CONNECT_TIMEOUT_MS: '2000' } });
    await service.start();
    load = await LedgerLoad.open(service);
    load.start();
    await sleep(1_000);
  });

  afterAll(async () => {
    await load?.stop();
    figures.print();
    await service?.stop();
    await cluster?.destroy();
  });

  /** Milliseconds from now until a new write is accepted again (201) and /health says ok. */
  async function recoveryMs(): Promise<number> {
    const started = Date.now();
    await waitFor(
      'a write to succeed again',
      async () => (await load.write('write')).status === 201 && (await service.request('GET', '/health', { timeoutMs: 1_000 })).status === 200,
      60_000,
      100,
    );
    return Date.now() - started;
  }

  function expectServed(outcomes: Outcome[]): void {
    const wrong = outcomes.filter((o) => o.status !== null && o.status >= 500 && !(o.status === 503 && o.retryAfter && /^SERVICE\.(UNAVAILABLE|TIMEOUT)$/.test(o.code ?? '')));
    expect(wrong.map((o) => `${o.kind} → ${o.status} ${o.code} retry-after=${o.retryAfter}`)).toEqual([]);
    expect(service.running).toBe(true);
    expect(service.unplannedExits).toEqual([]);
    expect(service.processErrors).toEqual([]);
  }

  function record(scenario: string, outcomes: Outcome[], recovery: number): void {
    figures.add({
      scenario,
      requests: outcomes.length,
      '503': outcomes.filter((o) => o.status === 503).length,
      'other 5xx': outcomes.filter((o) => o.status !== null && o.status >= 500 && o.status !== 503).length,
      'no answer': outcomes.filter((o) => o.status === null).length,
      'recovery s': seconds(recovery),
    });
  }

  it('immediate stop (all backends killed), 3 s down, start: 503 with Retry-After meanwhile, then recovers by itself', async () => {
    const from = Date.now();
    await cluster.stopImmediate();
    const down = Date.now();
    await sleep(3_000);
    const whileDown = load.between(down + 200, Date.now());
    await cluster.startServer();
    const recovery = await recoveryMs();
    const outcomes = load.between(from, Date.now());
    expectServed(outcomes);
    // While the server was down, requests were answered (not left hanging) with 503.
    expect(whileDown.filter((o) => o.status === 503).length).toBeGreaterThan(5);
    expect(whileDown.filter((o) => o.status === null)).toEqual([]);
    record('pg_ctl stop -m immediate, 3 s, start', outcomes, recovery);
  });

  it('fast restart (sessions terminated with 57P01): recovers by itself', async () => {
    const from = Date.now();
    await cluster.restartFast();
    const recovery = await recoveryMs();
    const outcomes = load.between(from, Date.now());
    expectServed(outcomes);
    record('pg_ctl restart -m fast', outcomes, recovery);
  });

  it('every backend of the database terminated at once: no exit, recovers by itself', async () => {
    await sleep(500);
    const from = Date.now();
    const killed = await cluster.terminateAll(database);
    expect(killed).toBeGreaterThan(0);
    const recovery = await recoveryMs();
    await sleep(500);
    const outcomes = load.between(from, Date.now());
    expectServed(outcomes);
    record(`pg_terminate_backend × ${killed} once`, outcomes, recovery);
  });

  it('a storm of terminations (every 50 ms for 5 s): no exit, recovers by itself', async () => {
    const from = Date.now();
    let rounds = 0;
    let killed = 0;
    while (Date.now() - from < 5_000) {
      killed += await cluster.terminateAll(database);
      rounds += 1;
      await sleep(50);
    }
    const recovery = await recoveryMs();
    await sleep(500);
    const outcomes = load.between(from, Date.now());
    expectServed(outcomes);
    expect(killed).toBeGreaterThan(rounds / 2);
    record(`terminate storm: ${rounds} rounds, ${killed} backends`, outcomes, recovery);
  });

  it('afterwards: every unclear write answered on retry with its key, nothing applied twice, chain and trial balance whole', async () => {
    await load.stop();
    const unclear = load.unclearWrites();
    const answers = await load.retryUnclear();
    const unanswered = [...answers.entries()].filter(([, o]) => o.status === null || o.status >= 500);
    expect(unanswered).toEqual([]);

    // Counted in the database: each key's entry at most once; each key answered 201 exactly once.
    const rows = await cluster.query<{ memo: string; n: number }>(database, `SELECT memo, count(*)::int AS n FROM ledger_entries WHERE book = $1 GROUP BY memo`, [load.book]);
    const applied = new Map(rows.map((r) => [r.memo, r.n]));
    const twice = rows.filter((r) => r.n > 1);
    expect(twice).toEqual([]);
    const finalAnswer = new Map<string, Outcome>();
    for (const o of load.outcomes) if (o.key && o.kind === 'write') finalAnswer.set(o.key, o);
    const acceptedButMissing = [...finalAnswer.values()].filter((o) => o.status === 201 && applied.get(o.key as string) !== 1);
    expect(acceptedButMissing).toEqual([]);
    // An answer other than 201 to a retried write is one the client can act on; count the kinds.
    const retriedCodes: Record<string, number> = {};
    for (const o of answers.values()) retriedCodes[`${o.status} ${o.code ?? ''}`.trim()] = (retriedCodes[`${o.status} ${o.code ?? ''}`.trim()] ?? 0) + 1;

    const verify = await service.request('GET', `/v1/ledger/verify?book=${load.book}`);
    expect(verify.status).toBe(200);
    expect(verify.json).toMatchObject({ ok: true });
    const tb = await service.request('GET', `/v1/ledger/trial-balance?book=${load.book}`);
    expect(tb.json).toMatchObject({ totals: { balanced: true } });
    expect(service.starts).toBe(1);
    figures.add({
      scenario: 'after all faults',
      requests: load.outcomes.length,
      '503': load.outcomes.filter((o) => o.status === 503).length,
      'other 5xx': load.outcomes.filter((o) => o.status !== null && o.status >= 500 && o.status !== 503).length,
      'no answer': load.outcomes.filter((o) => o.status === null).length,
      'recovery s': `unclear writes retried: ${unclear.length} → ${JSON.stringify(retriedCodes)}; entries: ${rows.length}; applied twice: ${twice.length}`,
    });
  });
});
