import type { TestApp } from '../support/test-app';
import { uniqueCode } from '../support/test-app';
import { createAgency, createBank, registerLoan, signAgreement } from '../support/factories';

/** Every role of issue #15's matrix, each with its own token (`Authorization` header values). */
export interface AccessTokens {
  trustee: string;
  approver: string;
  custodian: string;
  bankA: string;
  bankB: string;
  agency: string;
  agencyOther: string;
  auditor: string;
}

/**
 * Two banks (A and B) with the same agency, each with a borrower it registered itself, loans,
 * claims, reserve accounts and a quarterly report; an approval batch with only B's claim and one
 * with a claim of each bank. What cross-party probes need (issue #15 "Done when").
 */
export interface AccessWorld {
  tokens: AccessTokens;
  tokenIds: Record<keyof AccessTokens, string>;
  bankA: string;
  bankB: string;
  agency: string;
  agencyOther: string;
  borrowerA: string;
  borrowerB: string;
  loanA: string;
  loanB: string;
  /** The banks' own references of loans A and B. */
  loanRefA: string;
  loanRefB: string;
  claimA: string;
  claimB: string;
  claimB2: string;
  batchB: string;
  batchMixed: string;
  reportA: string;
  reportB: string;
  qualificationB: string;
  /** The approval entry of claim A (a reserve-book entry). */
  entryA: string;
}

const bearer = (token: string) => `Bearer ${token}`;

async function claim(t: TestApp, loanId: string): Promise<string> {
  const res = await t.http
    .post('/v1/claims')
    .set('Authorization', t.auth)
    .send({ loanId, claimDate: '2025-07-15', outstandingPrincipal: '1000000.00', interestUnpaidSince: '2025-03-21', principalOverdueSince: '2025-05-10' });
  if (res.status !== 201) throw new Error(`claim: ${res.status} ${JSON.stringify(res.body)}`);
  await t.http.post(`/v1/claims/${res.body.id}/review`).set('Authorization', t.auth).send({ decision: 'recommend', reviewedOn: '2025-07-25' }).expect(200);
  return res.body.id as string;
}

async function borrowerBy(t: TestApp, auth: string): Promise<string> {
  const code = uniqueCode('BR');
  await t.http
    .post('/v1/borrowers')
    .set('Authorization', auth)
    .send({
      code,
      name: `Borrower ${code}`,
      highTech: true,
      techSme: false,
      revenues: [{ year: 2023, amount: '18000000.00' }],
      qualifications: [{ kind: 'high_tech', validFrom: '2023-01-01' }],
    })
    .expect(201);
  return code;
}

async function report(t: TestApp, auth: string, bankCode: string, loanReference: string): Promise<string> {
  const res = await t.http
    .post('/v1/bank-reports')
    .set('Authorization', auth)
    .send({ bankCode, quarter: '2025Q1', rows: [{ loanReference, outstandingPrincipal: '1000000.00', repaid: '0.00', assetQuality: 'normal' }] });
  if (res.status !== 201) throw new Error(`report: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export async function buildAccessWorld(t: TestApp): Promise<AccessWorld> {
  const issue = async (role: string, partyCode?: string) => {
    const res = await t.http.post('/v1/tokens').set('Authorization', t.auth).send({ role, ...(partyCode ? { partyCode } : {}) }).expect(201);
    return { header: bearer(res.body.token), id: res.body.id as string };
  };
  const bankA = await createBank(t, 'BA');
  const bankB = await createBank(t, 'BB');
  const agency = await createAgency(t);
  const agencyOther = await createAgency(t);
  for (const b of [bankA, bankB]) await signAgreement(t, b, agency);
  const issued = {
    custodian: await issue('custodian'),
    bankA: await issue('bank', bankA),
    bankB: await issue('bank', bankB),
    agency: await issue('agency', agency),
    agencyOther: await issue('agency', agencyOther),
    auditor: await issue('auditor'),
  };
  const me = async (auth: string) => (await t.http.get('/v1/tokens/me').set('Authorization', auth).expect(200)).body.id as string;
  const tokens: AccessTokens = { trustee: t.auth, approver: t.approver, ...Object.fromEntries(Object.entries(issued).map(([k, v]) => [k, v.header])) } as AccessTokens;
  const tokenIds = { trustee: await me(t.auth), approver: await me(t.approver), ...Object.fromEntries(Object.entries(issued).map(([k, v]) => [k, v.id])) } as Record<keyof AccessTokens, string>;

  const borrowerA = await borrowerBy(t, tokens.bankA);
  const borrowerB = await borrowerBy(t, tokens.bankB);
  const qualificationB = (await t.http.get(`/v1/borrowers/${borrowerB}`).set('Authorization', t.auth).expect(200)).body.qualifications[0].id as string;
  const loanA = await registerLoan(t, { bankCode: bankA, agencyCode: agency, borrowerCode: borrowerA, amount: '1000000.00', collateralValue: '200000.00' });
  const loanB = await registerLoan(t, { bankCode: bankB, agencyCode: agency, borrowerCode: borrowerB, amount: '1000000.00', collateralValue: '200000.00' });
  const loanB2 = await registerLoan(t, { bankCode: bankB, agencyCode: agency, borrowerCode: borrowerB, amount: '1000000.00', collateralValue: '200000.00' });
  for (const b of [bankA, bankB]) {
    await t.http.post('/v1/reserve/funding').set('Authorization', t.auth).send({ bankCode: b, amount: '5000000.00', fundedOn: '2025-01-15', reference: uniqueCode('F') }).expect(201);
  }
  const claimA = await claim(t, loanA.id);
  const claimB = await claim(t, loanB.id);
  const claimB2 = await claim(t, loanB2.id);
  const batch = async (claimIds: string[]) =>
    (await t.http.post('/v1/approval-batches').set('Authorization', t.approver).send({ claimIds, approvedOn: '2025-09-30' }).expect(201)).body.id as string;
  const batchB = await batch([claimB]);
  const batchMixed = await batch([claimA, claimB2]);
  const reportA = await report(t, tokens.bankA, bankA, loanA.reference);
  const reportB = await report(t, tokens.bankB, bankB, loanB.reference);
  const entryA = (await t.http.get(`/v1/claims/${claimA}`).set('Authorization', t.auth).expect(200)).body.entries.approval as string;
  return {
    entryA,
    tokens,
    tokenIds,
    bankA,
    bankB,
    agency,
    agencyOther,
    borrowerA,
    borrowerB,
    loanA: loanA.id,
    loanB: loanB.id,
    loanRefA: loanA.reference,
    loanRefB: loanB.reference,
    claimA,
    claimB,
    claimB2,
    batchB,
    batchMixed,
    reportA,
    reportB,
    qualificationB,
  };
}
