import { Clock } from '../../src/common/clock/clock';
import { TestApp, uniqueCode } from '../support/test-app';

export interface Parties {
  bankCode: string;
  agencyCode: string;
}

/** A bank and an agency bound by a tri-party agreement, all created through the API. */
export async function createParties(t: TestApp, options: { agreement?: boolean } = {}): Promise<Parties> {
  const bankCode = uniqueCode('BK');
  const agencyCode = uniqueCode('AG');
  await t.http.post('/v1/banks').set('Authorization', t.auth).send({ code: bankCode, name: `Bank ${bankCode}` }).expect(201);
  await t.http
    .post('/v1/agencies')
    .set('Authorization', t.auth)
    .send({ code: agencyCode, name: `Agency ${agencyCode}`, feeRate: '0.01', joinedOn: '2021-09-01' })
    .expect(201);
  if (options.agreement !== false) {
    await t.http.post('/v1/agreements').set('Authorization', t.auth).send({ bankCode, agencyCode, signedOn: '2021-10-01' }).expect(201);
  }
  return { bankCode, agencyCode };
}

export async function createAgency(t: TestApp, bankCode: string): Promise<string> {
  const agencyCode = uniqueCode('AG');
  await t.http
    .post('/v1/agencies')
    .set('Authorization', t.auth)
    .send({ code: agencyCode, name: `Agency ${agencyCode}`, feeRate: '0.01', joinedOn: '2021-09-01' })
    .expect(201);
  await t.http.post('/v1/agreements').set('Authorization', t.auth).send({ bankCode, agencyCode, signedOn: '2021-10-01' }).expect(201);
  return agencyCode;
}

export async function createBorrower(
  t: TestApp,
  options: { revenues?: { year: number; amount: string }[]; highTech?: boolean; techSme?: boolean; groupCode?: string } = {},
): Promise<string> {
  const code = uniqueCode('BR');
  await t.http
    .post('/v1/borrowers')
    .set('Authorization', t.auth)
    .send({
      code,
      name: `Borrower ${code}`,
      highTech: options.highTech ?? true,
      techSme: options.techSme ?? false,
      revenues: options.revenues ?? [{ year: 2024, amount: '18000000.00' }],
      ...(options.groupCode ? { groupCode: options.groupCode } : {}),
    })
    .expect(201);
  return code;
}

/**
 * A registration body that passes every rule: 3,000,000.00 at 4.00% for 12 months contracted
 * 2025-03-05 (1-year LPR 3.10% since 2024-10-21 → cap 4.03%), collateral 900,000.00 (30% exactly).
 */
export function loanBody(p: Parties, borrowerCode: string, overrides: Record<string, unknown> = {}) {
  return {
    reference: uniqueCode('REF-'),
    bankCode: p.bankCode,
    agencyCode: p.agencyCode,
    borrowerCode,
    amount: '3000000.00',
    annualRate: '0.0400',
    termMonths: 12,
    contractDate: '2025-03-05',
    registeredOn: '2025-03-10',
    security: 'collateral',
    collateralValue: '900000.00',
    singleAssetException: false,
    ...overrides,
  };
}

/** Freezes the service's clock at noon China time on `date`; returns the restore function. */
export function freezeToday(t: TestApp, date: string): () => void {
  const clock = t.app.get(Clock);
  const spy = jest.spyOn(clock, 'now').mockReturnValue(new Date(`${date}T04:00:00Z`));
  return () => spy.mockRestore();
}

export async function issueToken(t: TestApp, role: 'bank' | 'agency' | 'auditor', partyCode?: string): Promise<string> {
  const res = await t.http
    .post('/v1/tokens')
    .set('Authorization', t.auth)
    .send({ role, ...(partyCode ? { partyCode } : {}) })
    .expect(201);
  return `Bearer ${res.body.token}`;
}
