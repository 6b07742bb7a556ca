import { addWorkingDays } from '../../src/common/calendar/working-days';
import { freezeToday } from '../loans/loan-fixtures';
import { startIsolatedTestApp, TestApp, uniqueCode } from '../support/test-app';

/**
 * Issue 11 item 8 (RULES §9): 2027 ran on the statutory fallback without a word. /health and the
 * calendar endpoint warn while the current or next year has no published schedule; the trustee
 * loads a year's holidays and adjusted working days through the API, stored and dated. On a
 * database of its own (a loaded year applies to every app started on the database).
 *
 * The 2027 schedule below is a made-up example for the test (Spring Festival off 2027-02-05 to
 * 2027-02-11, Saturday 2027-02-13 worked), not the State Council's notice.
 */
describe('calendar coverage and loaded holiday schedules (issue 11 item 8)', () => {
  let t: TestApp;
  let restore: () => void;
  beforeAll(async () => {
    t = await startIsolatedTestApp();
    restore = freezeToday(t, '2026-12-01');
  });
  afterAll(async () => {
    restore();
    await t.close();
  });

  const EXAMPLE_2027 = {
    source: 'test example (not an official notice)',
    holidays: ['2027-01-01', '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11'],
    workdays: ['2027-02-13'],
  };

  it('item 8: without 2027 data, addWorkingDays(2027-02-01, 10) ignores the Spring Festival, and /health warns about 2027', async () => {
    // Fallback: Feb 2–5, 8–12 and 15 → the 10th working day is 2027-02-15.
    expect(addWorkingDays('2027-02-01', 10)).toBe('2027-02-15');
    const health = await t.http.get('/health').expect(200);
    expect(health.body.status).toBe('ok');
    expect(health.body.calendar.years).toEqual([expect.objectContaining({ year: 2026, source: 'package' }), expect.objectContaining({ year: 2027, source: 'fallback' })]);
    expect(health.body.calendar.warnings).toEqual([expect.stringContaining('No published holiday schedule for 2027')]);
  });

  it('item 8: the trustee loads 2027 through the API: stored and dated, applied at once, the warning gone', async () => {
    const bad = await t.http.put('/v1/calendar/years/2027').set('Authorization', t.auth).send({ ...EXAMPLE_2027, workdays: ['2028-01-02'] }).expect(400);
    expect(bad.body.code).toBe('HOLIDAYS.INVALID');
    const loaded = await t.http.put('/v1/calendar/years/2027').set('Authorization', t.auth).send(EXAMPLE_2027).expect(200);
    expect(loaded.body).toMatchObject({ year: 2027, loadedOn: '2026-12-01', source: EXAMPLE_2027.source, coverage: { year: 2027, source: 'loaded' } });
    // Feb 2, 3, 4, (5–11 off), 12, 13 (worked Saturday), 15, 16, 17, 18, 19 → 2027-02-19.
    expect(addWorkingDays('2027-02-01', 10)).toBe('2027-02-19');
    const check = await t.http.post('/v1/calendar/working-days').set('Authorization', t.auth).send({ from: '2027-02-01', days: 10 }).expect(200);
    expect(check.body.date).toBe('2027-02-19');
    expect((await t.http.get('/health').expect(200)).body.calendar.warnings).toEqual([]);
    const rows: { year: number; loaded_on: string; superseded_at: string | null }[] = await t.dataSource.query(
      `SELECT year, loaded_on::text, superseded_at FROM holiday_calendars WHERE year = 2027`,
    );
    expect(rows).toEqual([{ year: 2027, loaded_on: '2026-12-01', superseded_at: null }]);
  });

  it('item 8: a reload keeps the earlier load (superseded); a bank token may not load', async () => {
    await t.http.put('/v1/calendar/years/2027').set('Authorization', t.auth).send({ ...EXAMPLE_2027, source: 'corrected example' }).expect(200);
    const year = await t.http.get('/v1/calendar/years/2027').set('Authorization', t.auth).expect(200);
    expect(year.body).toMatchObject({ loads: 2, loaded: { source: 'corrected example' }, coverage: { source: 'loaded' } });
    const bankCode = uniqueCode('BANK');
    await t.http.post('/v1/banks').set('Authorization', t.auth).send({ code: bankCode, name: 'Bank' }).expect(201);
    const token = await t.http.post('/v1/tokens').set('Authorization', t.auth).send({ role: 'bank', partyCode: bankCode }).expect(201);
    await t.http.put('/v1/calendar/years/2027').set('Authorization', `Bearer ${token.body.token}`).send(EXAMPLE_2027).expect(403);
  });
});
