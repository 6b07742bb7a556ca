import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProgrammesService } from '../../src/programme/programmes.service';
import { issueToken } from '../loans/loan-fixtures';
import { createBank, createBorrower } from '../support/factories';
import { startTestApp, TestApp, uniqueCode } from '../support/test-app';

/**
 * Issue 18 "Done when": a sixth programme that reuses the engine's flows and calculators needs data
 * only. The document is test/programme/fixtures/sixth-programme.json; nothing else is added.
 */
describe('a sixth programme from a JSON document (issue 18)', () => {
  let t: TestApp;
  const doc = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'sixth-programme.json'), 'utf8'));
  // Its own code per run, so the shared real-database schema can run the suite again.
  const code = `${doc.code}-${uniqueCode('x').toLowerCase().replace(/[^a-z0-9]/g, '').slice(-8)}`;
  const versionId = `${doc.version.id}-${code.slice(-8)}`;
  const document = { ...doc, code, version: { ...doc.version, id: versionId } };

  const post = (url: string, body: unknown, auth = t.auth) => t.http.post(url).set('Authorization', auth).send(body as object);
  const put = (url: string, body: object) => t.http.put(url).set('Authorization', t.auth).send(body);

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('a malformed document is a 400 listing every problem; a bank token may not load one', async () => {
    const bad = await post('/v1/programmes/documents', { ...document, flows: [{ kind: 'bonus', products: ['nope'], parameters: { x: 1 }, text: { zh: 'x', en: 'x' }, source: 's' }] }).expect(400);
    expect(bad.body.code).toBe('PROGRAMME.DOCUMENT_INVALID');
    expect(bad.body.details.map((d: { field: string }) => d.field)).toEqual(['flows[0].kind', 'flows[0].products', 'flows[0].parameters']);
    const bank = await issueToken(t, 'bank', await createBank(t));
    expect((await post('/v1/programmes/documents', document, bank)).status).toBe(403);
    // Henan's tech loans are carried by their own policy versions, never by a programme document.
    const henan = await post('/v1/programmes/documents', { ...document, code: 'henan-tech-loan', version: { ...document.version, id: `henan-doc-${code.slice(-8)}` } }).expect(409);
    expect(henan.body.code).toBe('PROGRAMME.REGISTERS_ELSEWHERE');
    const [{ flows }] = (await t.dataSource.query(`SELECT money_flows::text AS flows FROM programmes WHERE code = 'henan-tech-loan'`)) as { flows: string | null }[];
    expect(flows).not.toContain('advance-compensation-with-settlement');
  });

  it('loads as data: 201, listed, its rules written out; loading it again is a 409', async () => {
    const loaded = await post('/v1/programmes/documents', document).expect(201);
    expect(loaded.body).toMatchObject({ id: versionId, effectiveFrom: '2026-01-01', effectiveTo: '2026-12-31' });
    const shown = await t.http.get(`/v1/programmes/${code}`).set('Authorization', t.auth).expect(200);
    expect(shown.body).toMatchObject({ moneyFlows: ['advance-compensation-with-settlement', 'interest-subsidy'], registersHere: true, names: doc.names });
    // A derived fact without a text of its own is shown by its name.
    expect(shown.body.version.products[1].rules.map((r: { readable: { zh: string } }) => r.readable.zh)).toEqual(['newHiresShare ≥ newHiresShareRequired', '贷款金额 ≤ 2,000,000.00']);
    expect((await post('/v1/programmes/documents', document).expect(409)).body.code).toBe('PROGRAMME.VERSION_EXISTS');
  });

  it('a loan registers against it, and the flows’ figures come out of the data', async () => {
    const bankCode = await createBank(t);
    const borrowerCode = await createBorrower(t, []);
    await put(`/v1/borrowers/${borrowerCode}/profile`, { borrowerType: 'enterprise', sizeClass: 'small', establishedOn: '2019-04-01' }).expect(200);
    await put(`/v1/borrowers/${borrowerCode}/headcounts`, { asOf: '2026-01-02', headcount: 60 }).expect(200);
    await post(`/v1/borrowers/${borrowerCode}/hires`, { hiredOn: '2026-01-10', persons: 6, groups: ['startup-loan-eligible'], contractMonths: 24 }).expect(201);
    const body = { bankCode, borrowerCode, amount: '2000000.00', annualRate: '0.035', termMonths: 24, contractDate: '2026-02-01', registeredOn: '2026-02-02' };
    // 60 staff (above 50) → 10%; 6 / 60 = 10% exactly.
    const startup = await post(`/v1/programmes/${code}/loans`, { ...body, reference: uniqueCode('S6'), product: 'startup-loan' }).expect(201);
    expect(startup.body.facts).toMatchObject({ newHires: '6', newHiresShare: '0.1', newHiresShareRequired: '0.10' });
    const ip = await post(`/v1/programmes/${code}/loans`, { ...body, reference: uniqueCode('S6'), product: 'ip-pledge', declarations: { ipPledged: true } }).expect(201);

    const programmes = t.app.get(ProgrammesService);
    expect(await programmes.flowOf(ip.body.id, 'advance-compensation-with-settlement')).toMatchObject({ programmeCode: code, parameters: { advanceRatio: '0.40', settlementRatio: '0.30' } });
    expect(await programmes.flowOf(startup.body.id, 'interest-subsidy')).toMatchObject({ parameters: { lprOffsetLowBp: '-100', lprOffsetHighBp: '100', timesMax: '2' } });
    await expect(programmes.flowOf(startup.body.id, 'advance-compensation-with-settlement')).rejects.toMatchObject({ code: 'PROGRAMME.FLOW_NOT_AVAILABLE' });
  });

  it('outside its period (effectiveTo 2026-12-31) nothing registers', async () => {
    const res = await post(`/v1/programmes/${code}/loans`, {
      reference: uniqueCode('S6'),
      bankCode: await createBank(t),
      borrowerCode: await createBorrower(t, []),
      product: 'ip-pledge',
      amount: '1.00',
      annualRate: '0.03',
      termMonths: 12,
      contractDate: '2025-12-01',
      registeredOn: '2025-12-31',
    }).expect(422);
    expect(res.body.code).toBe('PROGRAMME.NOT_IN_FORCE');
  });
});
