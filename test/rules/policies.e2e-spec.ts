import { Logger } from '@nestjs/common';
import { HENAN_2021 } from '../../src/programme/domain/henan-versions';
import { rateCapBenchmark } from '../../src/programme/domain/rate-cap-benchmark.calculator';
import { PolicyService } from '../../src/programme/policy.service';
import { ReferenceRatesService } from '../../src/programme/reference-rates.service';
import { createBorrower, createParties, freezeToday, loanBody } from '../loans/loan-fixtures';
import { COMPENSATION_EXAMPLE_A } from '../support/examples';
import { startIsolatedTestApp, TestApp, uniqueCode } from '../support/test-app';

/**
 * Issue 11 items 1 and 9 (RULES §2 and §11a, revised 2026-12): policy versions as data keyed by
 * programme, GET/POST /v1/policies, the reference rates of the rate cap, and the version each
 * registration and calculation names. On a database of its own: it loads versions.
 */
describe('policy versions and reference rates (issue 11 items 1, 9)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startIsolatedTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const policies = () => t.http.get('/v1/policies').set('Authorization', t.auth).expect(200);
  const load = (body: object) => t.http.post('/v1/policies').set('Authorization', t.auth).send(body);
  const calc = (extra: object) =>
    t.http
      .post('/v1/calculators/compensation')
      .set('Authorization', t.auth)
      .send({ ...COMPENSATION_EXAMPLE_A, revenue: '5000000.00', ...extra })
      .expect(200);

  it('item 9: GET /v1/policies lists henan-2021 from 2021-10-30 and henan-2025 from 2025-06-01, both henan-tech-loan, with the provisional ones', async () => {
    const res = await policies();
    const byId = new Map(res.body.items.map((v: { id: string }) => [v.id, v]));
    expect(byId.get('henan-2021')).toMatchObject({ programme: 'henan-tech-loan', effectiveFrom: '2021-10-30', provisional: [] });
    const v2025 = byId.get('henan-2025') as { programme: string; effectiveFrom: string; provisional: string[]; parameters: Record<string, unknown>; sources: Record<string, string> };
    expect(v2025).toMatchObject({ programme: 'henan-tech-loan', effectiveFrom: '2025-06-01' });
    expect(v2025.provisional).toEqual(expect.arrayContaining(['termBonusPerYear', 'compensationCapPerLoan']));
    expect(v2025.parameters).toMatchObject({
      researchCooperationRatio: '0.80',
      researchCooperationRevenueBelow: '10000000.00',
      creditLoanRatio: '0.60',
      bankAnnualCapBalanceShare: '0.02',
      bankAnnualCapAmount: '10000000.00',
      rateCapBasis: 'pboc_benchmark',
    });
    expect(v2025.sources.bankAnnualCapBalanceShare).toContain('RULES §11a');
  });

  it('item 9: every problem of a bad version listed (400), nothing stored; only refusals → 422', async () => {
    const before = (await policies()).body.items.length;
    const bad = await load({
      id: 'henan-bad',
      programme: 'nowhere',
      name: 'bad',
      effectiveFrom: '2025-06-01',
      basedOn: 'henan-2025',
      parameters: { ratioCap: 0.6, creditLoanRatio: '1.5', claimOverdueMonths: 99, unknownThing: '1' },
    }).expect(400);
    expect(bad.body.code).toBe('POLICY.INVALID');
    const problems = bad.body.details.map((d: { code: string; field: string }) => `${d.code} ${d.field}`).sort();
    expect(problems).toEqual(
      [
        'POLICY.UNKNOWN_PROGRAMME programme',
        'POLICY.BASED_ON_UNKNOWN basedOn',
        'POLICY.PARAMETER_UNKNOWN parameters.unknownThing',
        'POLICY.PARAMETER_TYPE parameters.ratioCap',
        'POLICY.PARAMETER_RANGE parameters.creditLoanRatio',
        'POLICY.PARAMETER_RANGE parameters.claimOverdueMonths',
      ].sort(),
    );
    const refused = await load({ id: 'henan-dup', programme: 'henan-tech-loan', name: 'dup', effectiveFrom: '2025-06-01', basedOn: 'henan-2025', parameters: {} }).expect(422);
    expect(refused.body.code).toBe('POLICY.REFUSED');
    expect(refused.body.details.map((d: { code: string }) => d.code)).toEqual(['POLICY.EFFECTIVE_DATE_TAKEN']);
    const overlap = await load({ id: 'henan-2024', programme: 'henan-tech-loan', name: 'x', effectiveFrom: '2024-01-01', basedOn: 'henan-2021', parameters: {} }).expect(422);
    expect(overlap.body.details[0]).toMatchObject({ code: 'POLICY.EFFECTIVE_DATE_OVERLAPS', field: 'effectiveFrom' });
    expect((await policies()).body.items).toHaveLength(before);
  });

  it('item 9: a version of another programme never governs henan-tech-loan loans, however its date falls', async () => {
    const code = `other-${uniqueCode('p').toLowerCase()}`;
    await t.http.post('/v1/programmes').set('Authorization', t.auth).send({ code, name: 'Another programme' }).expect(201);
    const other = await load({ id: `${code}-v1`, programme: code, name: 'other v1', effectiveFrom: '2024-01-01', basedOn: undefined, parameters: { ...paramsOf(HENAN_2021), creditLoanRatio: '0.10' } }).expect(201);
    expect(other.body).toMatchObject({ programme: code, effectiveFrom: '2024-01-01' });
    // A henan calculation on 2024-06-10 still takes henan-2021.
    expect((await calc({ registeredOn: '2024-06-10' })).body.policyVersion).toBe('henan-2021');
    const listed = await t.http.get(`/v1/policies?programme=${code}`).set('Authorization', t.auth).expect(200);
    expect(listed.body.items.map((v: { id: string }) => v.id)).toEqual([`${code}-v1`]);
  });

  it('a programme code outside the stored rule (upper case, underscore) is a 400 naming the field, never a 500', async () => {
    for (const code of ['Zhejiang', 'zhejiang_loans', '-lead']) {
      const res = await t.http.post('/v1/programmes').set('Authorization', t.auth).send({ code, name: 'x' }).expect(400);
      expect(res.body.code).toBe('REQUEST.INVALID');
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain('code');
    }
  });

  it('done-when: the calculator answers for 2024 with henan-2021 and after 2025-06-01 with henan-2025, naming each (research cooperation 80% only under henan-2025)', async () => {
    const y2024 = await calc({ registeredOn: '2024-06-10', researchCooperation: true });
    expect(y2024.body).toMatchObject({ policyVersion: 'henan-2021', ratio: '0.60', lossAmount: '3042050.00', compensation: '1825230.00' });
    const y2025 = await calc({ registeredOn: '2025-06-02', researchCooperation: true });
    // 3,042,050.00 × 0.80 = 2,433,640.00
    expect(y2025.body).toMatchObject({ policyVersion: 'henan-2025', ratio: '0.80', lossAmount: '3042050.00', compensation: '2433640.00' });
    expect(y2025.body.breakdown.every((s: { policyVersion?: string }) => s.policyVersion === 'henan-2025')).toBe(true);
    // Default: the claim date's version.
    expect((await calc({})).body.policyVersion).toBe('henan-2025');
  });

  it('done-when: loan registration on 2024-06-10 is henan-2021, on 2025-06-02 henan-2025, each naming its version; the default cap is 4.35% × 1.3', async () => {
    const restore = freezeToday(t, '2025-12-31');
    const p = await createParties(t);
    const b = await createBorrower(t, { revenues: [{ year: 2023, amount: '5000000.00' }, { year: 2024, amount: '5000000.00' }] });
    const old = await t.http.post('/v1/loans').set('Authorization', t.auth).send(loanBody(p, b, { contractDate: '2024-06-01', registeredOn: '2024-06-10', annualRate: '0.05655' })).expect(201);
    expect(old.body).toMatchObject({ policyVersion: 'henan-2021', policyVersionId: 'henan-2021', compensationRatio: '0.60' });
    expect(old.body.breakdown[0]).toMatchObject({ rule: 'RULES §11a', value: 'henan-2021' });
    const rateStep = old.body.breakdown.find((s: { text: string }) => s.text.startsWith('Rate 0.05655 ≤ cap'));
    expect(rateStep).toMatchObject({ policyVersion: 'henan-2021', text: 'Rate 0.05655 ≤ cap 0.0435 × 1.3 = 0.05655: allowed' });
    const refused = await t.http.post('/v1/loans').set('Authorization', t.auth).send(loanBody(p, b, { contractDate: '2024-06-01', registeredOn: '2024-06-10', annualRate: '0.05656' })).expect(422);
    expect(refused.body.details[0]).toMatchObject({ code: 'LOAN.RATE_ABOVE_CAP', benchmark: '0.0435', rateCap: '0.05655' });
    const fresh = await t.http.post('/v1/loans').set('Authorization', t.auth).send(loanBody(p, b, { contractDate: '2025-06-01', registeredOn: '2025-06-02' })).expect(201);
    expect(fresh.body).toMatchObject({ policyVersion: 'henan-2025', compensationRatio: '0.60' });
    const found = await t.http.get(`/v1/loans?bankCode=${p.bankCode}&reference=${fresh.body.reference}`).set('Authorization', t.auth).expect(200);
    expect(found.body.items.map((l: { id: string }) => l.id)).toEqual([fresh.body.id]);
    restore();
  });

  it('item 1: a database that stopped before 2025-05-20 learns the 3.00% LPR row at start-up; the LPR basis then uses it', async () => {
    const rates = t.app.get(ReferenceRatesService);
    await t.dataSource.query(`DELETE FROM lpr_rates WHERE effective_from = '2025-05-20'`);
    await rates.reload();
    const lpr = { ...HENAN_2021, rateCapBasis: 'lpr' as const };
    expect(rateCapBenchmark(rates.current(), lpr, 12, '2025-06-03').rate.toString()).toBe('0.031');
    await rates.onModuleInit(); // what a start-up does
    expect(rateCapBenchmark(rates.current(), lpr, 12, '2025-06-03').rate.toString()).toBe('0.03');
    const listed = await t.http.get('/v1/reference-rates').set('Authorization', t.auth).expect(200);
    expect(listed.body.lpr[listed.body.lpr.length - 1]).toEqual({ effectiveFrom: '2025-05-20', oneYear: '0.03', fiveYear: '0.035' });
    expect(listed.body.pboc).toEqual([{ effectiveFrom: '2015-10-24', upToOneYear: '0.0435', oneToFiveYears: '0.0475', overFiveYears: '0.049' }]);
  });

  it('item 1: the start-up comparison of stored and built-in versions warns only on a real difference', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const service = t.app.get(PolicyService);
    await service.onModuleInit();
    expect(warn.mock.calls.filter(([m]) => String(m).includes('differs'))).toEqual([]);
    await t.dataSource.query(`UPDATE policy_versions SET body = jsonb_set(body, '{ratioCap}', '"0.61"') WHERE id = 'henan-2021'`);
    await service.onModuleInit();
    expect(warn.mock.calls.filter(([m]) => String(m).includes('policy henan-2021 in the database differs'))).toHaveLength(1);
    await t.dataSource.query(`UPDATE policy_versions SET body = jsonb_set(body, '{ratioCap}', '"0.60"') WHERE id = 'henan-2021'`);
    await service.onModuleInit();
    warn.mockRestore();
  });
});

function paramsOf(v: object): Record<string, unknown> {
  const { id: _i, programme: _p, name: _n, effectiveFrom: _e, provisional: _v, ...rest } = v as Record<string, unknown>;
  return rest;
}
