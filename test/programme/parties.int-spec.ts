import { startTestApp, TestApp, uniqueCode } from '../support/test-app';
import { issueToken } from '../loans/loan-fixtures';

describe('programme parties (issue #5 item 1)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (path: string, body: object, auth = t.auth) => t.http.post(path).set('Authorization', auth).send(body);
  const get = (path: string, auth = t.auth) => t.http.get(path).set('Authorization', auth);

  it('banks: create → 201 active with lossRate null; duplicate → 409; unknown → 404', async () => {
    const code = uniqueCode('BK');
    const created = await post('/v1/banks', { code, name: '郑州银行' }).expect(201);
    expect(created.body).toMatchObject({ code, name: '郑州银行', status: 'active', lossRate: null, statusReason: null, statusSince: null });
    const got = await get(`/v1/banks/${code}`).expect(200);
    expect(got.body).toMatchObject({ code, status: 'active', lossRate: null });
    expect((await post('/v1/banks', { code, name: 'again' }).expect(409)).body.code).toBe('BANK.DUPLICATE_CODE');
    expect((await get('/v1/banks/NO-SUCH-BANK').expect(404)).body.code).toBe('BANK.NOT_FOUND');
  });

  it('the loss rate comes from the stored column (written by a quarter close)', async () => {
    const code = uniqueCode('BK');
    await post('/v1/banks', { code, name: 'b' }).expect(201);
    await t.dataSource.query(`UPDATE banks SET loss_rate = 0.0425, loss_rate_quarter = '2025Q2' WHERE code = $1`, [code]);
    expect((await get(`/v1/banks/${code}`).expect(200)).body).toMatchObject({ lossRate: '0.0425', lossRateQuarter: '2025Q2' });
  });

  it('bank status: a change with reason and date, kept as history; the latest date is the current status', async () => {
    const code = uniqueCode('BK');
    await post('/v1/banks', { code, name: 'b' }).expect(201);
    await post(`/v1/banks/${code}/status`, { status: 'suspended_focus', reason: 'loss rate 6.5%', since: '2025-07-25' }).expect(201);
    const res = await post(`/v1/banks/${code}/status`, { status: 'active', reason: 'loss rate back to 3.9%', since: '2025-10-25' }).expect(201);
    expect(res.body).toMatchObject({ status: 'active', statusReason: 'loss rate back to 3.9%', statusSince: '2025-10-25' });
    const history = await get(`/v1/banks/${code}/status-history`).expect(200);
    expect(history.body.map((h: { status: string; since: string }) => [h.status, h.since])).toEqual([
      ['suspended_focus', '2025-07-25'],
      ['active', '2025-10-25'],
    ]);
    const bad = await post(`/v1/banks/${code}/status`, { status: 'frozen', reason: 'x', since: '2025-10-25' }).expect(400);
    expect(bad.body.details).toEqual([expect.objectContaining({ field: 'status' })]);
    expect((await post('/v1/banks/NOPE/status', { status: 'active', reason: 'x', since: '2025-10-25' }).expect(404)).body.code).toBe(
      'BANK.NOT_FOUND',
    );
  });

  it('agencies: fee rate as a string, join date, status; a JSON-number fee rate → 400', async () => {
    const code = uniqueCode('AG');
    const created = await post('/v1/agencies', { code, name: 'agency', feeRate: '0.01', joinedOn: '2021-09-01' }).expect(201);
    expect(created.body).toMatchObject({ code, feeRate: '0.01', joinedOn: '2021-09-01', status: 'active', lossRate: null });
    expect((await get(`/v1/agencies/${code}`).expect(200)).body.feeRate).toBe('0.01');
    const bad = await post('/v1/agencies', { code: uniqueCode('AG'), name: 'a', feeRate: 0.01, joinedOn: '2021-02-30' }).expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['feeRate', 'joinedOn']);
    const suspended = await post(`/v1/agencies/${code}/status`, { status: 'suspended_new', reason: 'loss rate 5%', since: '2025-07-25' }).expect(201);
    expect(suspended.body.status).toBe('suspended_new');
    expect((await get('/v1/agencies/NOPE').expect(404)).body.code).toBe('AGENCY.NOT_FOUND');
  });

  it('agreements: bank × agency once; unknown party → 404', async () => {
    const bank = uniqueCode('BK');
    const agency = uniqueCode('AG');
    await post('/v1/banks', { code: bank, name: 'b' }).expect(201);
    await post('/v1/agencies', { code: agency, name: 'a', feeRate: '0.008', joinedOn: '2022-01-01' }).expect(201);
    const created = await post('/v1/agreements', { bankCode: bank, agencyCode: agency, signedOn: '2022-02-01' }).expect(201);
    expect(created.body).toMatchObject({ bankCode: bank, agencyCode: agency, signedOn: '2022-02-01' });
    expect((await post('/v1/agreements', { bankCode: bank, agencyCode: agency, signedOn: '2022-03-01' }).expect(409)).body.code).toBe(
      'AGREEMENT.DUPLICATE',
    );
    expect((await post('/v1/agreements', { bankCode: 'NOPE', agencyCode: agency, signedOn: '2022-03-01' }).expect(404)).body.code).toBe(
      'BANK.NOT_FOUND',
    );
    const list = await get(`/v1/agreements?bankCode=${bank}`).expect(200);
    expect(list.body.items).toHaveLength(1);
  });

  it('borrowers: flags, revenues by year, group; duplicate year → 400; revenue correction', async () => {
    const code = uniqueCode('BR');
    const group = uniqueCode('GRP');
    const created = await post('/v1/borrowers', {
      code,
      name: '郑州某某科技有限公司',
      highTech: true,
      techSme: false,
      revenues: [
        { year: 2024, amount: '18000000.00' },
        { year: 2023, amount: '15000000' },
      ],
      groupCode: group,
    }).expect(201);
    expect(created.body).toMatchObject({
      code,
      highTech: true,
      techSme: false,
      groupCode: group,
      revenues: [
        { year: 2023, amount: '15000000.00' },
        { year: 2024, amount: '18000000.00' },
      ],
    });
    const dupYear = await post('/v1/borrowers', {
      code: uniqueCode('BR'),
      name: 'x',
      highTech: true,
      techSme: true,
      revenues: [
        { year: 2024, amount: '1.00' },
        { year: 2024, amount: '2.00' },
      ],
    }).expect(400);
    expect(dupYear.body.code).toBe('BORROWER.REVENUE_DUPLICATE_YEAR');
    const badAmount = await post('/v1/borrowers', {
      code: uniqueCode('BR'),
      name: 'x',
      highTech: true,
      techSme: true,
      revenues: [{ year: 2024, amount: '1e7' }],
    }).expect(400);
    expect(badAmount.body.details).toEqual([expect.objectContaining({ field: 'revenues.0.amount' })]);
    await t.http.put(`/v1/borrowers/${code}/revenues`).set('Authorization', t.auth).send({ year: 2025, amount: '21000000.00' }).expect(200);
    const byGroup = await get(`/v1/borrowers?groupCode=${group}`).expect(200);
    expect(byGroup.body.items).toHaveLength(1);
    expect(byGroup.body.items[0].revenues).toHaveLength(3);
    expect((await get('/v1/borrowers/NOPE').expect(404)).body.code).toBe('BORROWER.NOT_FOUND');
  });

  it('lists are paginated with an opaque cursor', async () => {
    for (let i = 0; i < 3; i++) await post('/v1/banks', { code: uniqueCode('PG'), name: 'p' }).expect(201);
    const first = await get('/v1/banks?limit=2').expect(200);
    expect(first.body.items).toHaveLength(2);
    const second = await get(`/v1/banks?limit=2&cursor=${first.body.nextCursor}`).expect(200);
    expect(second.body.items[0].code > first.body.items[1].code).toBe(true);
    expect((await get('/v1/banks?cursor=garbage').expect(400)).body.code).toBe('REQUEST.INVALID_CURSOR');
    await get('/v1/agencies?limit=1').expect(200);
  });

  it('only the trustee creates parties; any token reads them', async () => {
    const code = uniqueCode('BK');
    const own = uniqueCode('BK');
    await post('/v1/banks', { code: own, name: 'own' }).expect(201);
    const bank = await issueToken(t, 'bank', own);
    expect((await post('/v1/banks', { code, name: 'self' }, bank).expect(403)).body.code).toBe('AUTH.FORBIDDEN');
    await post('/v1/banks', { code, name: 'b' }).expect(201);
    await get(`/v1/banks/${code}`, bank).expect(200);
    await post(`/v1/banks/${code}/status`, { status: 'active', reason: 'x', since: '2025-01-01' }, bank).expect(403);
  });

  it('the OpenAPI document describes every programme and loan endpoint', async () => {
    const doc = await t.http.get('/docs-json').expect(200);
    const paths = Object.keys(doc.body.paths);
    for (const path of [
      '/v1/banks',
      '/v1/banks/{code}',
      '/v1/banks/{code}/status',
      '/v1/agencies',
      '/v1/agencies/{code}',
      '/v1/agencies/{code}/status',
      '/v1/agreements',
      '/v1/borrowers',
      '/v1/borrowers/{code}',
      '/v1/agency-changes',
      '/v1/loans',
      '/v1/loans/{id}',
      '/v1/loans/{id}/disbursement',
      '/v1/loans/{id}/confirmation-letter',
      '/v1/loans/{id}/agency-fees',
      '/v1/bank-reports',
      '/v1/outstanding',
    ]) {
      expect(paths).toContain(path);
    }
    const register = doc.body.paths['/v1/loans'].post;
    expect(register.summary).toMatch(/Register/);
    expect(JSON.stringify(register)).toContain('compensationRatio');
    expect(Object.keys(doc.body.paths['/v1/bank-reports'].post.requestBody.content)).toEqual(
      expect.arrayContaining(['application/json', 'text/csv']),
    );
    expect(doc.body.components.schemas.RegisterLoanDto.properties.amount.example).toBe('3000000.00');
  });
});
