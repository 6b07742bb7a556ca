import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findDataFile } from '../../src/programme/data-files';
import { createAgency, createBank, createBorrower, registerLoan, signAgreement } from '../support/factories';
import { issueToken } from '../loans/loan-fixtures';
import { startIsolatedTestApp, TestApp, uniqueCode } from '../support/test-app';

/**
 * Issue 18 "Done when": a Jilin and a Zhejiang loan registered side by side with Henan loans, by
 * the same bank; Henan's quarter close and reserve are unaffected by them (a database of its own,
 * so every figure is to the fen).
 *
 * Henan: bank A, agency G (joined 2024, fee 1%): L1 3,000,000.00 and L2 30,000,000.00, balance
 * 33,000,000.00 in the 2025Q1 report. Reserve: 120,000,000.00 funded 2025-01-15, interest
 * 345,000.00 on 2025-03-21.
 * Jilin: a small firm of 100 staff with 10 hires from 延吉市 (222401, in 延边州) → 10 ≥ 10: a loan
 * of 20,000,000.00 registered 2025-02-10. Zhejiang: a small firm of 12 staff, headcount held, a
 * loan of 8,000,000.00 registered 2026-01-05.
 * 2025Q1 close, as for Henan alone: bank A numerator 0.00, balance 33,000,000.00; agency G's
 * margin requirement 30% × 33,000,000.00 × 1% = 99,000.00; custody fee 0.1% × 120,000,000.00 =
 * 120,000.00 from interest, 225,000.00 of interest to principal; reserve 120,225,000.00 against
 * the band 10%–15% of 33,000,000.00 = 3,300,000.00 – 4,950,000.00; the placement proposal's
 * inputs are Henan's loans' (balance 33,000,000.00, 12 months, 4.35%).
 */
describe('programmes beside Henan (issue 18)', () => {
  let t: TestApp;
  let bankA: string;
  let agency: string;
  const henan: Record<string, { id: string; reference: string }> = {};
  let jilinLoan: { id: string; reference: string };

  const post = (url: string, body: object = {}, auth = t.auth) => t.http.post(url).set('Authorization', auth).send(body);
  const put = (url: string, body: object) => t.http.put(url).set('Authorization', t.auth).send(body);
  const get = (url: string, auth = t.auth) => t.http.get(url).set('Authorization', auth);
  const ok = async (res: Promise<{ status: number; body: { [k: string]: unknown } }> | { status: number; body: unknown }, status = 201) => {
    const r = await res;
    if (r.status !== status) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
    return r.body as Record<string, never>;
  };

  async function employer(profile: object, headcounts: [string, number][], hires: object[] = []): Promise<string> {
    const code = await createBorrower(t, []);
    await ok(put(`/v1/borrowers/${code}/profile`, profile), 200);
    for (const [asOf, headcount] of headcounts) await ok(put(`/v1/borrowers/${code}/headcounts`, { asOf, headcount }), 200);
    for (const h of hires) await ok(post(`/v1/borrowers/${code}/hires`, h));
    return code;
  }

  beforeAll(async () => {
    t = await startIsolatedTestApp();
    bankA = await createBank(t, 'PA');
    agency = await createAgency(t, { joinedOn: '2024-01-01' });
    await signAgreement(t, bankA, agency);
    henan.L1 = await registerLoan(t, { bankCode: bankA, agencyCode: agency, borrowerCode: await createBorrower(t, [{ year: 2023, amount: '18000000.00' }]) });
    henan.L2 = await registerLoan(t, {
      bankCode: bankA,
      agencyCode: agency,
      borrowerCode: await createBorrower(t, [{ year: 2023, amount: '18000000.00' }]),
      amount: '30000000.00',
      collateralValue: '6000000.00',
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('a Jilin loan: 10 partner-region hires of a small firm meet 三(二); the loan keeps the facts its rules saw', async () => {
    const borrower = await employer(
      { borrowerType: 'enterprise', sizeClass: 'small', establishedOn: '2020-01-01', region: '220104' },
      [['2025-01-01', 100]],
      [{ hiredOn: '2024-09-01', persons: 10, originRegion: '222401', groups: [], contractMonths: 12 }],
    );
    const body = {
      reference: uniqueCode('JL'),
      bankCode: bankA,
      borrowerCode: borrower,
      product: 'labour-cooperation-loan',
      amount: '20000000.00',
      annualRate: '0.0310',
      termMonths: 36,
      contractDate: '2025-02-05',
      registeredOn: '2025-02-10',
      preferentialMonths: 36,
      declarations: { goodCredit: true },
    };
    const res = await ok(post('/v1/programmes/jilin-labour-cooperation/loans', body));
    expect(res).toMatchObject({ programmeCode: 'jilin-labour-cooperation', programmeVersionId: 'jilin-2022', amount: '20000000.00', annualRate: '0.031', warnings: [] });
    // The 1-year LPR in force on 2025-02-05 is 3.10% (since 2024-10-21): 3.10% ≤ 3.10%.
    expect(res.facts).toMatchObject({ partnerRegionHires: '10', hiresRequired: '10', lprForTerm: '0.031', headcount: '100' });
    jilinLoan = { id: res.id, reference: body.reference };
    const again = await post('/v1/programmes/jilin-labour-cooperation/loans', body).expect(409);
    expect(again.body.code).toBe('PROGRAMME.DUPLICATE_REFERENCE');
  });

  it('a Zhejiang registration breaking rules returns every one, hard and soft, with text and source; a sound one registers', async () => {
    const borrower = await employer({ borrowerType: 'enterprise', sizeClass: 'small', establishedOn: '2020-01-01', region: '330106' }, [
      ['2025-01-05', 12],
      ['2025-06-30', 9],
    ]);
    const base = { bankCode: bankA, borrowerCode: borrower, product: 'special-loan', annualRate: '0.035', termMonths: 12, contractDate: '2026-01-05', registeredOn: '2026-01-05' };
    const refused = await post('/v1/programmes/zhejiang-employment-loan/loans', {
      ...base,
      reference: uniqueCode('ZJ'),
      amount: '50000000.01',
      declarations: { wagesPaid: true, socialInsurancePaid: true },
    }).expect(422);
    expect(refused.body.code).toBe('PROGRAMME.NOT_ELIGIBLE');
    expect(refused.body.details.map((d: { rule: string; code: string; severity: string }) => [d.rule, d.code, d.severity])).toEqual([
      ['zj-credit-line', 'PROGRAMME.RULE_BROKEN', 'hard'],
      ['zj-headcount-min', 'PROGRAMME.RULE_BROKEN', 'soft'],
      // 12 → 9 is a cut; the control target of 2025 is not in the seed.
      ['zj-headcount-held', 'PROGRAMME.FIGURE_MISSING', 'soft'],
    ]);
    expect(refused.body.details[1]).toMatchObject({ text: { zh: '用工人数不少于10人' }, source: 'zhejiang-employment-loans-2025.txt 二(一)', observed: { headcount: '9' } });

    await ok(put(`/v1/borrowers/${borrower}/headcounts`, { asOf: '2025-06-30', headcount: 12 }), 200);
    const res = await ok(post('/v1/programmes/zhejiang-employment-loan/loans', { ...base, reference: uniqueCode('ZJ'), amount: '8000000.00', declarations: { wagesPaid: true, socialInsurancePaid: true } }));
    expect(res).toMatchObject({ programmeCode: 'zhejiang-employment-loan', programmeVersionId: 'zhejiang-2025', warnings: [] });
  });

  it('Henan’s books do not know the programme loans: a bank report listing the Jilin loan is refused, /v1/loans lists Henan’s only', async () => {
    const res = await post('/v1/bank-reports', {
      bankCode: bankA,
      quarter: '2025Q1',
      rows: [{ loanReference: jilinLoan.reference, outstandingPrincipal: '20000000.00', repaid: '0.00', assetQuality: 'normal' }],
    }).expect(422);
    expect(JSON.stringify(res.body.details)).toContain('LOAN_NOT_FOUND');
    const listed = await get(`/v1/loans?bankCode=${bankA}`).expect(200);
    expect(listed.body.items.map((l: { id: string }) => l.id).sort()).toEqual([henan.L1.id, henan.L2.id].sort());
  });

  it('2025Q1 close: loss rates, margin requirement, custody fee and reserve band are Henan’s alone', async () => {
    await ok(post('/v1/reserve/funding', { bankCode: bankA, amount: '120000000.00', fundedOn: '2025-01-15', reference: `F-${bankA}` }));
    await ok(post('/v1/reserve/interest', { bankCode: bankA, amount: '345000.00', creditedOn: '2025-03-21' }));
    await ok(
      post('/v1/bank-reports', {
        bankCode: bankA,
        quarter: '2025Q1',
        rows: [
          { loanReference: henan.L1.reference, outstandingPrincipal: '3000000.00', repaid: '0.00', assetQuality: 'normal' },
          { loanReference: henan.L2.reference, outstandingPrincipal: '30000000.00', repaid: '0.00', assetQuality: 'normal' },
        ],
      }),
    );
    const q1 = await ok(post('/v1/quarters/2025Q1/close'), 200);
    const bank = (q1.lossRates as unknown as { banks: { bankCode: string }[] }).banks.find((b) => b.bankCode === bankA);
    expect(bank).toMatchObject({ numerator: '0.00', balance: '33000000.00', band: 'normal', status: 'active' });
    const requirement = (q1.marginRequirements as unknown as { agencyCode: string }[]).find((r) => r.agencyCode === agency);
    expect(requirement).toMatchObject({ ratio: '0.30', feesReceivable: '330000.00', requirement: '99000.00' });
    expect(q1.custodyFee).toMatchObject({ total: '120000.00', fromInterest: '120000.00', interestToPrincipal: '225000.00', reserveTotal: '120000000.00' });
    const reserve = await get('/v1/reserve?asOf=2025-03-31').expect(200);
    expect(reserve.body).toMatchObject({ total: '120225000.00', outstandingLoans: '33000000.00', band: { min: '3300000.00', max: '4950000.00' } });
    // The placement proposal's inputs: Henan's two 12-month loans at 4.35% (the Jilin loan, 36 months at 3.10%, would move both averages).
    const placement = await get(`/v1/placements/${String(q1.placementId)}`).expect(200);
    const inputs = placement.body.banks.find((b: { bankCode: string }) => b.bankCode === bankA).inputs;
    expect(inputs).toMatchObject({ outstandingBalance: '33000000.00', averageTermMonths: '12', averageRate: '0.0435' });
  });

  it('the trustee gives a figure the seed lacks by loading a version: a later registration uses it, an earlier one stays undecided', async () => {
    const builtIn = JSON.parse(readFileSync(join(findDataFile('programmes'), 'zhejiang-employment-loan.json'), 'utf8'));
    const withTarget = {
      ...builtIn,
      version: { id: 'zhejiang-2026-target', effectiveFrom: '2026-06-01', effectiveTo: null },
      tables: { unemploymentControlTarget: { ...builtIn.tables.unemploymentControlTarget, rows: { '2025': '0.055' }, source: 'loaded by the trustee for this test' } },
      missing: [],
    };
    await ok(post('/v1/programmes/documents', withTarget));
    // 40 → 38 over the 12 months: 2 / 40 = 5% < 5.5%.
    const borrower = await employer({ borrowerType: 'enterprise', sizeClass: 'small', establishedOn: '2020-01-01', region: '330106' }, [
      ['2025-05-01', 40],
      ['2026-05-01', 38],
    ]);
    const body = { bankCode: bankA, borrowerCode: borrower, product: 'special-loan', amount: '1000000.00', annualRate: '0.035', termMonths: 12, declarations: { wagesPaid: true, socialInsurancePaid: true } };
    const before = await post('/v1/programmes/zhejiang-employment-loan/loans', { ...body, reference: uniqueCode('ZJ'), contractDate: '2026-05-31', registeredOn: '2026-05-31' }).expect(422);
    expect([before.body.code, before.body.details[0].missing[0].name]).toEqual(['PROGRAMME.FIGURE_MISSING', 'tables.unemploymentControlTarget.2025']);
    const after = await ok(post('/v1/programmes/zhejiang-employment-loan/loans', { ...body, reference: uniqueCode('ZJ'), contractDate: '2026-06-10', registeredOn: '2026-06-10' }));
    expect(after).toMatchObject({ programmeVersionId: 'zhejiang-2026-target', warnings: [], facts: { headcountReduction: '0.05', controlTarget: '0.055' } });
  });

  it('GET /v1/programmes: each programme counts its own loans only; Henan registers elsewhere; a bank token sees its own', async () => {
    const list = await get('/v1/programmes').expect(200);
    const by = Object.fromEntries(list.body.items.map((p: { code: string }) => [p.code, p]));
    expect(by['jilin-labour-cooperation'].loans).toEqual({ loans: 1, amount: '20000000.00' });
    expect(by['zhejiang-employment-loan'].loans).toEqual({ loans: 2, amount: '9000000.00' });
    expect(by['guangxi-employment-measures'].loans).toEqual({ loans: 0, amount: '0.00' });
    expect(by['henan-tech-loan']).toMatchObject({ registersHere: false, loans: null, moneyFlows: ['reserve-compensation'], policyVersions: [{ id: 'henan-2021' }, { id: 'henan-2025' }] });
    const henanRegistration = await post('/v1/programmes/henan-tech-loan/loans', {
      reference: 'X',
      bankCode: bankA,
      borrowerCode: 'X',
      product: 'tech-loan',
      amount: '1.00',
      annualRate: '0.03',
      termMonths: 12,
      contractDate: '2025-01-01',
      registeredOn: '2025-01-01',
    }).expect(409);
    expect(henanRegistration.body.code).toBe('PROGRAMME.REGISTERS_ELSEWHERE');
    const otherBank = await issueToken(t, 'bank', await createBank(t, 'PB'));
    const seen = await get('/v1/programmes', otherBank).expect(200);
    expect(seen.body.items.find((p: { code: string }) => p.code === 'jilin-labour-cooperation').loans).toEqual({ loans: 0, amount: '0.00' });
    expect((await get(`/v1/programme-loans/${jilinLoan.id}`, otherBank).expect(404)).body.code).toBe('PROGRAMME.LOAN_NOT_FOUND');
  });
});
