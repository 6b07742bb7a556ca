import { startTestApp, TestApp } from '../support/test-app';

/** GET /v1/programmes/{code}: each programme's rules readable by a person, in Chinese and English, with the source article (issue 18 item 4). */
describe('programmes as a person reads them (issue 18)', () => {
  let t: TestApp;
  const get = (url: string) => t.http.get(url).set('Authorization', t.auth);

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('Xinxiang: the start-up loan’s hires rule and cap written out, the flows with the figures the seed does not give', async () => {
    const res = await get('/v1/programmes/xinxiang-risk-compensation').expect(200);
    const startup = res.body.version.products.find((p: { code: string }) => p.code === 'startup-guarantee-loan');
    const rules = Object.fromEntries(startup.rules.map((r: { id: string }) => [r.id, r]));
    expect(rules['xx-startup-new-hires']).toMatchObject({
      severity: 'hard',
      source: 'xinxiang-risk-compensation-excerpts-2022.txt （四）',
      readable: {
        zh: '新招用人员占现有在职职工人数比例 ≥ 现有在职职工人数15%（超过100人的企业8%）',
        en: 'New hires as a share of current staff ≥ 15% of current staff (8% for a firm of more than 100)',
      },
    });
    expect(rules['xx-startup-amount'].readable).toEqual({ zh: '贷款金额 ≤ 3,000,000.00', en: 'loan amount ≤ 3,000,000.00' });
    const flows = Object.fromEntries(res.body.version.flows.map((f: { kind: string }) => [f.kind, f]));
    expect(flows['interest-subsidy'].missingFigures).toEqual([]);
    expect(flows['advance-compensation-with-settlement'].missingFigures).toEqual(['advanceRatio', 'settlementRatio']);
    expect(flows['reserve-compensation'].missingFigures).toEqual(['tiers']);
  });

  it('Zhejiang: caps by borrower type and the headcount test, readable', async () => {
    const res = await get('/v1/programmes/zhejiang-employment-loan').expect(200);
    const rules = Object.fromEntries(res.body.version.products[0].rules.map((r: { id: string; readable: { zh: string } }) => [r.id, r.readable.zh]));
    expect(rules['zj-credit-line']).toBe('贷款金额 ≤ 企业 50,000,000.00 / 个人 10,000,000.00（按借款人类型）');
    expect(rules['zj-headcount-held']).toBe('申请贷款前1年内用工人数减少水平 ≤ 0 或 申请贷款前1年内用工人数减少水平 < 上年度城镇调查失业率控制目标');
    expect(rules['zj-wages-social-insurance']).toBe('按时足额支付职工工资 且 按时足额缴纳各项社会保险费');
    expect(res.body.version.missing).toEqual([expect.objectContaining({ figure: 'tables.unemploymentControlTarget' })]);
  });

  it('Guangxi: a grant calculator computes with the seed’s figures; an unknown programme or calculator is a 404', async () => {
    const refund = await t.http.post('/v1/programmes/guangxi-employment-measures/calculators/job-retention-refund').set('Authorization', t.auth).send({ amount: '123456.78', sizeClass: 'medium', on: '2025-06-30' }).expect(200);
    expect(refund.body).toMatchObject({ programmeVersionId: 'guangxi-2025', amount: '111111.10', breakdown: [{ text: '123456.78 × 0.90 (medium) = 111111.102 → 111111.10' }] });
    expect((await get('/v1/programmes/no-such-programme').expect(404)).body.code).toBe('PROGRAMME.NOT_FOUND');
    const none = await t.http.post('/v1/programmes/guangxi-employment-measures/calculators/no-such').set('Authorization', t.auth).send({}).expect(404);
    expect(none.body.code).toBe('PROGRAMME.CALCULATOR_NOT_FOUND');
  });

  it('Henan: listed with its policy versions and its own registration route', async () => {
    const res = await get('/v1/programmes/henan-tech-loan').expect(200);
    expect(res.body).toMatchObject({ registersHere: false, registration: 'POST /v1/loans', version: null, moneyFlows: ['reserve-compensation'], sourceSeed: 'henan-tech-loan-scheme-2021.txt' });
  });
});
