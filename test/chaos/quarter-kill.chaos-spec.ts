import { Figures, seconds } from './support/figures';
import { PrivateCluster } from './support/postgres-cluster';
import { waitFor } from './support/processes';
import { FAULT_QUARTER, QuarterWorld, closeOutcome, seedQuarterWorld } from './support/quarter-world';
import { ServiceProcess } from './support/service';

/**
 * Issue 12 "Reliability": the service is killed (SIGKILL, from inside, through the fault hook
 * QUARTER_FAULT_POINT) at twelve points of a quarter close — between duties and inside their
 * transactions — and started again each time; the close then finishes. The outcome must be the
 * one of an uninterrupted close of the same data (two databases copied from one template): the
 * same run (every duty done, each with one committed attempt), the same statuses and reasons, the
 * same entries in both books in the same order, and each book's hash chain verifying. The head
 * hashes themselves differ between the two databases by design (an entry's hash covers its id and
 * recording time), so the books are compared entry by entry and by a digest of their content.
 */
const KILL_POINTS = [
  'run:started',
  'custody_fee:before',
  'custody_fee:inside',
  'custody_fee:after',
  'reserve_band:inside',
  'bank_reports:inside',
  'loss_rates:before',
  'loss_rates:inside',
  'dormancy:inside',
  'margin_requirements:inside',
  'margin_shortfall:inside',
  'placement:inside',
  'ledger_close:inside',
  'ledger_close:after',
];

describe('kill -9 at fourteen points of a quarter close, restart: the same close as an uninterrupted one (issue 12)', () => {
  const figures = new Figures('quarter close under kill -9 (quarter-kill.chaos-spec.ts)');
  let cluster: PrivateCluster;
  let world: QuarterWorld;
  const services: ServiceProcess[] = [];

  const serviceOn = (database: string, env: Record<string, string> = {}) => {
    const s = new ServiceProcess({ databaseUrl: cluster.url(database), env });
    services.push(s);
    return s;
  };

  beforeAll(async () => {
    cluster = await PrivateCluster.start();
    await cluster.createDatabase('rf_quarter_base');
    const base = serviceOn('rf_quarter_base');
    await base.start();
    world = await seedQuarterWorld(base);
    await base.stop();
    await cluster.query('postgres', 'CREATE DATABASE rf_quarter_ref TEMPLATE rf_quarter_base');
    await cluster.query('postgres', 'CREATE DATABASE rf_quarter_kill TEMPLATE rf_quarter_base');
  });

  afterAll(async () => {
    figures.print();
    for (const s of services) await s.stop();
    await cluster?.destroy();
  });

  it('every kill point is reached, the restarted close completes, and its outcome equals the uninterrupted one', async () => {
    const ref = serviceOn('rf_quarter_ref');
    await ref.start();
    const started = Date.now();
    const closed = await ref.request('POST', `/v1/quarters/${FAULT_QUARTER}/close`, { timeoutMs: 60_000 });
    expect(closed.status).toBe(200);
    expect((closed.json as { status: string }).status).toBe('completed');
    figures.add({ run: 'uninterrupted', seconds: seconds(Date.now() - started) });
    const expected = await closeOutcome(ref, world);
    await ref.stop();

    for (const point of KILL_POINTS) {
      const s = serviceOn('rf_quarter_kill', { QUARTER_FAULT_POINT: point });
      await s.start();
      const res = await s.request('POST', `/v1/quarters/${FAULT_QUARTER}/close`, { timeoutMs: 60_000 }).catch((e: Error) => e);
      // The process killed itself at the point: the request got no answer.
      expect(res).toBeInstanceOf(Error);
      await waitFor(`the service to die at ${point}`, async () => !s.running, 10_000);
      expect(s.unplannedExits).toEqual(['exit code null signal SIGKILL']);
      figures.add({ run: `killed at ${point}`, starts: s.starts });
    }
    const last = serviceOn('rf_quarter_kill');
    await last.start();
    const finished = await last.request('POST', `/v1/quarters/${FAULT_QUARTER}/close`, { timeoutMs: 60_000 });
    expect(finished.status).toBe(200);
    expect((finished.json as { status: string }).status).toBe('completed');
    const actual = await closeOutcome(last, world);
    await last.stop();

    expect(actual.books.reserve.verify).toMatchObject({ ok: true });
    expect(actual.books.margin.verify).toMatchObject({ ok: true });
    expect(actual.quarter).toEqual(expected.quarter);
    expect(actual.parties).toEqual(expected.parties);
    expect(actual.books.reserve.entries).toEqual(expected.books.reserve.entries);
    expect(actual.books.margin.entries).toEqual(expected.books.margin.entries);
    expect(actual.books.reserve.digest).toBe(expected.books.reserve.digest);
    expect(actual.books.reserve.verify.entries).toBe(expected.books.reserve.verify.entries);
    // The close posts nothing in the margin book: its chain is the template's, head hash included.
    expect(actual.books.margin.verify.head).toBe(expected.books.margin.verify.head);
    // The close did real work: a fee, a bank above 6%, the ledger closed through the quarter end.
    const q = expected.quarter as { custodyFee: { total: string }; lossRates: { banks: { band: string }[] }; ledgerClose: { reserve: { closedThrough: string } } };
    expect(q.custodyFee.total).toBe('320000.00');
    expect(q.lossRates.banks.map((b) => b.band)).toContain('severe');
    expect(q.ledgerClose.reserve.closedThrough).toBe('2026-09-30');
  });
});
