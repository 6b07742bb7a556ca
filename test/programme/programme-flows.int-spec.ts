import { DomainError } from '../../src/common/errors/domain-error';
import { ProgrammesService } from '../../src/programme/programmes.service';
import { createBank } from '../support/factories';
import { startTestApp, TestApp, uniqueCode } from '../support/test-app';

/**
 * The contract the money flows' books rely on (docs/programmes.md "Contract"): flowOf answers a
 * programme loan's flow with its figures, or a stable error.
 */
describe('ProgrammesService.flowOf (issue 18)', () => {
  let t: TestApp;
  let programmes: ProgrammesService;
  let bankCode: string;
  let borrowerCode: string;

  beforeAll(async () => {
    t = await startTestApp();
    programmes = t.app.get(ProgrammesService);
    bankCode = await createBank(t);
    borrowerCode = uniqueCode('BR');
    await t.http
      .post('/v1/borrowers')
      .set('Authorization', t.auth)
      .send({ code: borrowerCode, name: '新乡某科技有限公司', highTech: false, techSme: false, revenues: [] })
      .expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  /** A programme loan row as registration stores it (the registration itself has its own specs). */
  async function loanOf(product: string): Promise<string> {
    const rows: { id: string }[] = await t.dataSource.query(
      `INSERT INTO programme_loans (programme_code, programme_version_id, product, reference, bank_code, borrower_code, borrower_type,
         amount, annual_rate, term_months, contract_date, registered_on, facts, warnings, breakdown)
       VALUES ('xinxiang-risk-compensation', 'xinxiang-2022', $1, $2, $3, $4, 'enterprise', 2000000.00, 0.0385, 24, '2025-03-01', '2025-03-03', '{}', '[]', '[]')
       RETURNING id`,
      [product, uniqueCode('REF'), bankCode, borrowerCode],
    );
    return rows[0].id;
  }

  async function refusal(p: Promise<unknown>): Promise<DomainError> {
    try {
      await p;
    } catch (e) {
      if (e instanceof DomainError) return e;
      throw e;
    }
    throw new Error('expected a refusal');
  }

  it('the built-in programmes are stored with their names, seed and money flows', async () => {
    const rows = await programmes.programmes();
    const byCode = new Map(rows.map((r) => [r.code, r]));
    expect(byCode.get('henan-tech-loan')?.moneyFlows).toEqual(['reserve-compensation']);
    expect(byCode.get('zhejiang-employment-loan')).toMatchObject({ nameZh: '浙江省稳岗扩岗专项贷款', sourceSeed: 'zhejiang-employment-loans-2025.txt', moneyFlows: ['none'] });
    expect(byCode.get('jilin-labour-cooperation')?.moneyFlows).toEqual(['none']);
    expect(byCode.get('guangxi-employment-measures')?.moneyFlows).toEqual(['interest-subsidy']);
    expect(byCode.get('xinxiang-risk-compensation')?.moneyFlows).toEqual(['reserve-compensation', 'advance-compensation-with-settlement', 'interest-subsidy']);
  });

  it('a start-up guarantee loan of Xinxiang: the interest-subsidy figures of its version (LPR − 150 bp … LPR + 150 bp, 3 times, 3,000,000)', async () => {
    const id = await loanOf('startup-guarantee-loan');
    const flow = await programmes.flowOf(id, 'interest-subsidy');
    expect(flow).toEqual({
      loanId: id,
      programmeCode: 'xinxiang-risk-compensation',
      programmeVersionId: 'xinxiang-2022',
      product: 'startup-guarantee-loan',
      kind: 'interest-subsidy',
      parameters: { lprOffsetLowBp: '-150', lprOffsetHighBp: '150', timesMax: '3', loanAmountMax: '3000000.00' },
      source: 'xinxiang-risk-compensation-excerpts-2022.txt （四）',
      loan: expect.objectContaining({ bankCode, borrowerCode, amount: '2000000.00', annualRate: '0.0385', termMonths: 24, registeredOn: '2025-03-03' }),
    });
  });

  it('a flow the loan’s product does not have → 409 PROGRAMME.FLOW_NOT_AVAILABLE', async () => {
    const id = await loanOf('first-loan-credit');
    const e = await refusal(programmes.flowOf(id, 'interest-subsidy'));
    expect([e.kind, e.code]).toEqual(['conflict', 'PROGRAMME.FLOW_NOT_AVAILABLE']);
    expect(e.details[0]).toMatchObject({ product: 'first-loan-credit', flows: ['reserve-compensation'] });
  });

  it('a flow whose figures the seed does not give → 422 PROGRAMME.FIGURE_MISSING naming them (IP pledge: advance and settlement ratios)', async () => {
    const id = await loanOf('ip-pledge');
    const e = await refusal(programmes.flowOf(id, 'advance-compensation-with-settlement'));
    expect([e.kind, e.code]).toEqual(['rule', 'PROGRAMME.FIGURE_MISSING']);
    expect(e.details.map((d) => d.field)).toEqual([
      'flows.advance-compensation-with-settlement.advanceRatio',
      'flows.advance-compensation-with-settlement.settlementRatio',
    ]);
    const credit = await refusal(programmes.flowOf(await loanOf('first-loan-credit'), 'reserve-compensation'));
    expect(credit.details.map((d) => d.field)).toEqual(['flows.reserve-compensation.tiers']);
  });

  it('an id that is no programme loan → 404 PROGRAMME.LOAN_NOT_FOUND', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const e = await refusal(programmes.flowOf(id, 'interest-subsidy'));
      expect([e.kind, e.code]).toEqual(['not_found', 'PROGRAMME.LOAN_NOT_FOUND']);
    }
  });

  it('asked as a bank: its own loan is answered; another bank’s is the 404 of a missing loan, before its 409 or 422', async () => {
    const own = await loanOf('startup-guarantee-loan');
    expect(await programmes.flowOf(own, 'interest-subsidy', undefined, { bankCode })).toMatchObject({ loanId: own, loan: { bankCode } });
    const noSuchFlow = await loanOf('first-loan-credit');
    const figuresMissing = await loanOf('ip-pledge');
    for (const [id, kind] of [
      [own, 'interest-subsidy'],
      [noSuchFlow, 'interest-subsidy'],
      [figuresMissing, 'advance-compensation-with-settlement'],
    ] as const) {
      for (const asBank of ['NOT-' + bankCode, null]) {
        const e = await refusal(programmes.flowOf(id, kind, undefined, { bankCode: asBank }));
        expect([e.kind, e.code, e.message]).toEqual(['not_found', 'PROGRAMME.LOAN_NOT_FOUND', `No loan ${id} is registered against a programme.`]);
      }
    }
    // The owner still gets the flow's own refusal.
    expect((await refusal(programmes.flowOf(noSuchFlow, 'interest-subsidy', undefined, { bankCode }))).code).toBe('PROGRAMME.FLOW_NOT_AVAILABLE');
  });
});
