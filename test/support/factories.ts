import type { TestApp } from './test-app';
import { uniqueCode } from './test-app';

/**
 * Builders of programme data through the public API, for flows that need parties and loans.
 * Every code is unique, so tests never collide on the shared real-database schema.
 */
export async function createBank(t: TestApp, prefix = 'BK'): Promise<string> {
  const code = uniqueCode(prefix);
  await t.http.post('/v1/banks').set('Authorization', t.auth).send({ code, name: `Bank ${code}` }).expect(201);
  return code;
}

export async function createAgency(t: TestApp, options: { feeRate?: string; joinedOn?: string } = {}): Promise<string> {
  const code = uniqueCode('AG');
  await t.http
    .post('/v1/agencies')
    .set('Authorization', t.auth)
    .send({ code, name: `Agency ${code}`, feeRate: options.feeRate ?? '0.01', joinedOn: options.joinedOn ?? '2021-01-01' })
    .expect(201);
  return code;
}

export async function signAgreement(t: TestApp, bankCode: string, agencyCode: string, signedOn = '2021-01-01'): Promise<void> {
  await t.http.post('/v1/agreements').set('Authorization', t.auth).send({ bankCode, agencyCode, signedOn }).expect(201);
}

export async function createBorrower(t: TestApp, revenues: { year: number; amount: string }[], groupCode?: string): Promise<string> {
  const code = uniqueCode('BR');
  await t.http
    .post('/v1/borrowers')
    .set('Authorization', t.auth)
    .send({ code, name: `Borrower ${code}`, highTech: true, techSme: false, revenues, ...(groupCode ? { groupCode } : {}) })
    .expect(201);
  return code;
}

export interface LoanSpec {
  bankCode: string;
  agencyCode: string;
  borrowerCode: string;
  amount?: string;
  annualRate?: string;
  termMonths?: number;
  contractDate?: string;
  registeredOn?: string;
  security?: string;
  collateralValue?: string;
  disbursedOn?: string | null;
}

/** Registers a loan (and disburses it in full unless disbursedOn is null); returns its id. */
export async function registerLoan(t: TestApp, spec: LoanSpec): Promise<{ id: string; reference: string; compensationRatio: string }> {
  const reference = uniqueCode('LN');
  const amount = spec.amount ?? '3000000.00';
  const res = await t.http
    .post('/v1/loans')
    .set('Authorization', t.auth)
    .send({
      reference,
      bankCode: spec.bankCode,
      agencyCode: spec.agencyCode,
      borrowerCode: spec.borrowerCode,
      amount,
      annualRate: spec.annualRate ?? '0.0435',
      termMonths: spec.termMonths ?? 12,
      contractDate: spec.contractDate ?? '2024-06-01',
      registeredOn: spec.registeredOn ?? '2024-06-10',
      security: spec.security ?? 'collateral',
      collateralValue: spec.collateralValue ?? '600000.00',
      singleAssetException: false,
    });
  if (res.status !== 201) throw new Error(`loan registration failed: ${res.status} ${JSON.stringify(res.body)}`);
  if (spec.disbursedOn !== null) {
    await t.http
      .post(`/v1/loans/${res.body.id}/disbursement`)
      .set('Authorization', t.auth)
      .send({ disbursedOn: spec.disbursedOn ?? '2024-06-15', amount })
      .expect((r) => {
        if (r.status >= 300) throw new Error(`disbursement failed: ${r.status} ${JSON.stringify(r.body)}`);
      });
  }
  return { id: res.body.id, reference, compensationRatio: res.body.compensationRatio };
}
