import { JobQueue } from '../../src/jobs/job-registry';
import { QUARTER_ADVANCE_JOB } from '../../src/quarters/quarter-schedule.processor';
import { createBank } from '../support/factories';
import { startIsolatedTestApp, TestApp } from '../support/test-app';

/**
 * Issue 12 items 3 and 4: a duty that fails is recorded with its error and retried without
 * re-running the others; the schedule's pass (BullMQ with REDIS_URL, in-process without) catches
 * up the quarters that ended since the last close; a hand-started close and a scheduled pass
 * never apply a duty twice (the run table decides).
 */
describe('quarter close: failures, the schedule and the catch-up (issue 12)', () => {
  let t: TestApp;
  let bank: string;
  const post = (url: string, body: object = {}) => t.http.post(url).set('Authorization', t.auth).send(body);
  const get = (url: string) => t.http.get(url).set('Authorization', t.auth);
  type Duty = { duty: string; status: string; attempts: number; finishedAt: string; error: string | null };
  const duty = (q: { duties: Duty[] }, name: string) => q.duties.find((d) => d.duty === name) as Duty;
  const entriesOn = async (date: string) => (await get(`/v1/ledger/entries?book=reserve&from=${date}&to=${date}&limit=100`).expect(200)).body.items.length;
  const pass = (trigger: 'schedule' | 'catch-up') => t.app.get(JobQueue).run<{ advanced: string[] }>(QUARTER_ADVANCE_JOB, { trigger });

  beforeAll(async () => {
    t = await startIsolatedTestApp();
    bank = await createBank(t);
    await post('/v1/reserve/funding', { bankCode: bank, amount: '100000000.00', fundedOn: '2026-01-10', reference: `F-${bank}` }).expect(201);
    await post('/v1/reserve/interest', { bankCode: bank, amount: '250000.00', creditedOn: '2026-03-20' }).expect(201);
  });
  afterAll(async () => {
    delete process.env.QUARTER_FAULT_POINT;
    delete process.env.QUARTER_FAULT_ACTION;
    await t.close();
  });

  it('with no close yet the schedule does nothing: the first close is by hand', async () => {
    expect(await pass('catch-up')).toEqual({ advanced: [] });
    await get('/v1/quarters/2026Q1').expect(404);
  });

  it('a duty that fails is recorded with its error; the run stops there; the next run retries it and never re-runs the others', async () => {
    process.env.QUARTER_FAULT_POINT = 'loss_rates:inside';
    process.env.QUARTER_FAULT_ACTION = 'throw';
    const failed = (await post('/v1/quarters/2026Q1/close').expect(200)).body;
    delete process.env.QUARTER_FAULT_POINT;
    delete process.env.QUARTER_FAULT_ACTION;
    expect(failed.status).toBe('failed');
    expect(duty(failed, 'loss_rates')).toMatchObject({ status: 'failed', attempts: 1, error: 'Error: injected fault at loss_rates:inside' });
    expect(duty(failed, 'custody_fee')).toMatchObject({ status: 'done', attempts: 1 });
    expect(duty(failed, 'dormancy').status).toBe('pending');
    // The failed duty's transaction rolled back: no loss rate was stored.
    expect(failed.lossRates.banks).toEqual([]);
    // 100,000,000.00 × 0.1% = 100,000.00 from the interest 250,000.00; 150,000.00 to principal: three entries.
    expect(failed.custodyFee).toMatchObject({ total: '100000.00', fromInterest: '100000.00', interestToPrincipal: '150000.00' });
    expect(await entriesOn('2026-03-31')).toBe(3);

    // The next quarter waits for it: 409 naming the open quarter, and nothing is written.
    const waits = await post('/v1/quarters/2026Q2/close').expect(409);
    expect(waits.body).toMatchObject({ code: 'QUARTER.PREVIOUS_OPEN', details: [{ open: '2026Q1' }] });
    expect(duty((await get('/v1/quarters/2026Q1').expect(200)).body, 'loss_rates')).toMatchObject({ status: 'failed', attempts: 1 });
    await get('/v1/quarters/2026Q2').expect(404);

    const retried = (await post('/v1/quarters/2026Q1/close').expect(200)).body;
    expect(retried.status).toBe('completed');
    expect(duty(retried, 'loss_rates')).toMatchObject({ status: 'done', attempts: 2, error: null });
    expect(duty(retried, 'custody_fee')).toEqual(duty(failed, 'custody_fee'));
    expect(retried.lossRates.banks).toHaveLength(1);
    expect(await entriesOn('2026-03-31')).toBe(3);
  });

  it('the catch-up closes the quarters that ended since (2026Q2, 2026Q3), racing a hand-started close: each duty applies once', async () => {
    await post('/v1/reserve/interest', { bankCode: bank, amount: '50000.00', creditedOn: '2026-05-20' }).expect(201);
    const [byQueue, byHand] = await Promise.all([pass('catch-up'), post('/v1/quarters/2026Q2/close')]);
    expect(byHand.status).toBe(200);
    expect(byQueue.advanced).toContain('2026Q3');
    const q2 = (await get('/v1/quarters/2026Q2').expect(200)).body;
    const q3 = (await get('/v1/quarters/2026Q3').expect(200)).body;
    expect([q2.status, q3.status]).toEqual(['completed', 'completed']);
    expect(q3.startedBy).toBe('catch-up');
    for (const q of [q2, q3]) expect(q.duties.every((d: { attempts: number }) => d.attempts === 1)).toBe(true);
    // Principal 100,150,000.00 → fee 100,150.00: 50,000.00 from the interest, 50,150.00 from principal.
    expect(q2.custodyFee).toMatchObject({ total: '100150.00', fromInterest: '50000.00', fromPrincipal: '50150.00' });
    expect(await entriesOn('2026-06-30')).toBe(3);
    expect(q3.ledgerClose.reserve.closedThrough).toBe('2026-09-30');
  });

  it('a later pass and a second hand-started close change nothing', async () => {
    const before = (await get('/v1/quarters/2026Q3').expect(200)).body;
    expect(await pass('schedule')).toEqual({ advanced: [] });
    expect((await post('/v1/quarters/2026Q3/close').expect(200)).body).toEqual(before);
    expect(await entriesOn('2026-09-30')).toBe(before.custodyFee.entryIds.length);
    const verify = await get('/v1/ledger/verify?book=reserve').expect(200);
    expect(verify.body.ok).toBe(true);
  });
});
