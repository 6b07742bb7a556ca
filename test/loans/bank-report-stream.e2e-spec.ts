import { startTestApp, TestApp } from '../support/test-app';
import { createBorrower, createParties, freezeToday, loanBody, Parties } from './loan-fixtures';

/**
 * Issue 10 item 5 (memory): a bank report's CSV is parsed, checked and written as it arrives, in
 * one transaction, all or nothing; with an Idempotency-Key its bytes are hashed as they are read,
 * so the same key with the same file replays the first answer and with another file is refused.
 */
describe('bank-report CSV read as a stream, with Idempotency-Key (issue 10 items 4 and 5)', () => {
  let t: TestApp;
  let restore: (() => void) | null = null;
  let p: Parties;
  const refs: string[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    p = await createParties(t);
    for (const disbursedOn of ['2025-03-12', '2025-03-13']) {
      restore?.();
      restore = freezeToday(t, disbursedOn);
      const loan = await t.http.post('/v1/loans').set('Authorization', t.auth).send(loanBody(p, await createBorrower(t))).expect(201);
      await t.http.post(`/v1/loans/${loan.body.id}/disbursement`).set('Authorization', t.auth).send({ disbursedOn, amount: '3000000.00' }).expect(201);
      refs.push(loan.body.reference as string);
    }
    restore?.();
    restore = freezeToday(t, '2025-04-09');
  });
  afterAll(async () => {
    restore?.();
    await t.close();
  });

  const upload = (csv: string, key?: string) => {
    const req = t.http.post(`/v1/bank-reports?bankCode=${p.bankCode}&quarter=2025Q1`).set('Authorization', t.auth).set('Content-Type', 'text/csv');
    return (key ? req.set('Idempotency-Key', key) : req).send(csv);
  };
  const reports = async () => (await t.http.get(`/v1/bank-reports?bankCode=${p.bankCode}`).set('Authorization', t.auth).expect(200)).body.items as { id: string }[];
  const keyRows = async (key: string) => (await t.dataSource.query(`SELECT status_code FROM idempotency_keys WHERE key = $1`, [key])) as { status_code: number }[];
  const csvOf = (lines: string[]) => `loanReference,outstandingPrincipal,repaid,assetQuality\n${lines.join('\n')}\n`;

  it('a refused CSV (a bad row after good ones) applies nothing, and its 422 is kept under its key', async () => {
    const bad = csvOf([`${refs[0]},2900000.00,100000.00,normal`, `${refs[1]},3000000.01,0.00,loss`]);
    const first = await upload(bad, `bad-${p.bankCode}`).expect(422);
    expect(first.body).toMatchObject({ code: 'REPORT.INVALID_ROWS', message: '1 of 2 rows are invalid; nothing was applied.' });
    expect(first.body.details).toEqual([expect.objectContaining({ line: 3, field: 'outstandingPrincipal', code: 'OUTSTANDING_ABOVE_DISBURSED' })]);
    expect(await reports()).toEqual([]);
    const again = await upload(bad, `bad-${p.bankCode}`).expect(422);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await keyRows(`bad-${p.bankCode}`)).toEqual([{ status_code: 422 }]);
  });

  it('the same key with the same file replays the report; with another file → 409 IDEMPOTENCY.KEY_REUSED; one version stored', async () => {
    const good = csvOf([`${refs[0]},2900000.00,100000.00,normal`, `${refs[1]},2500000.50,500000.00,substandard`]);
    const key = `good-${p.bankCode}`;
    const first = await upload(good, key).expect(201);
    expect(first.body).toMatchObject({ rows: 2, outstandingTotal: '5400000.50', repaidTotal: '600000.00', version: 1 });
    const again = await upload(good, key).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    const other = await upload(good.replace('2900000.00', '2800000.00'), key).expect(409);
    expect(other.body.code).toBe('IDEMPOTENCY.KEY_REUSED');
    expect((await reports()).map((r) => r.id)).toEqual([first.body.id]);
  });

  it('a file that breaks the edge rules (a NUL) is refused 400 with its line and not kept under its key', async () => {
    const key = `nul-${p.bankCode}`;
    const res = await upload(csvOf([`${refs[0]},2900000.00,100000.00,normal`, `${refs[1]}\u0000,1.00,0.00,normal`]), key).expect(400);
    expect(res.body.code).toBe('REQUEST.INVALID_TEXT');
    expect(res.body.details[0]).toMatchObject({ code: 'NUL_CHARACTER', line: 3 });
    expect(await keyRows(key)).toEqual([]);
  });
});
