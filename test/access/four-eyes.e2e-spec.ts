import { createAgency, createBank, createBorrower, registerLoan, signAgreement } from '../support/factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Issue #15 "Roles" and "Four eyes": the token that recommended a claim cannot approve it (403
 * AUTH.FOUR_EYES, nothing written); another approver's token can, and the claim shows who made
 * each step.
 */
describe('four eyes on claim approval (issue #15)', () => {
  let t: TestApp;
  let claimId: string;
  let trusteeId: string;
  let approverId: string;

  beforeAll(async () => {
    t = await startTestApp();
    const bank = await createBank(t);
    const agency = await createAgency(t);
    await signAgreement(t, bank, agency);
    const borrower = await createBorrower(t, [{ year: 2023, amount: '18000000.00' }]);
    const loan = await registerLoan(t, { bankCode: bank, agencyCode: agency, borrowerCode: borrower });
    const filed = await t.http
      .post('/v1/claims')
      .set('Authorization', t.auth)
      .send({ loanId: loan.id, claimDate: '2025-07-15', outstandingPrincipal: '3000000.00', interestUnpaidSince: '2025-03-21', principalOverdueSince: '2025-05-10' })
      .expect(201);
    claimId = filed.body.id;
    await t.http.post(`/v1/claims/${claimId}/review`).set('Authorization', t.auth).send({ decision: 'recommend', reviewedOn: '2025-07-25' }).expect(200);
    trusteeId = (await t.http.get('/v1/tokens/me').set('Authorization', t.auth).expect(200)).body.id;
    approverId = (await t.http.get('/v1/tokens/me').set('Authorization', t.approver).expect(200)).body.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('the trustee token that recommended the claim cannot approve it: 403 AUTH.FOUR_EYES naming the claim, nothing written', async () => {
    const res = await t.http.post('/v1/approval-batches').set('Authorization', t.auth).send({ claimIds: [claimId], approvedOn: '2025-09-30' }).expect(403);
    expect(res.body.code).toBe('AUTH.FOUR_EYES');
    expect(res.body.details).toEqual([expect.objectContaining({ code: 'AUTH.FOUR_EYES', claimId })]);
    const claim = await t.http.get(`/v1/claims/${claimId}`).set('Authorization', t.auth).expect(200);
    expect(claim.body).toMatchObject({ status: 'recommended', approvalBatchId: null, actors: { reviewedBy: trusteeId, approvedBy: null } });
  });

  it('a bank or custodian token may not approve at all (403 AUTH.FORBIDDEN)', async () => {
    const custodian = await t.http.post('/v1/tokens').set('Authorization', t.auth).send({ role: 'custodian' }).expect(201);
    const res = await t.http.post('/v1/approval-batches').set('Authorization', `Bearer ${custodian.body.token}`).send({ claimIds: [claimId], approvedOn: '2025-09-30' }).expect(403);
    expect(res.body.code).toBe('AUTH.FORBIDDEN');
  });

  it('the approver approves; the claim and its batch name the reviewer and the approver', async () => {
    const batch = await t.http.post('/v1/approval-batches').set('Authorization', t.approver).send({ claimIds: [claimId], approvedOn: '2025-09-30' }).expect(201);
    expect(batch.body).toMatchObject({ approvedBy: approverId, claimCount: 1, totalCompensation: '1825230.00' });
    const claim = await t.http.get(`/v1/claims/${claimId}`).set('Authorization', t.auth).expect(200);
    expect(claim.body).toMatchObject({ status: 'approved', actors: { reviewedBy: trusteeId, approvedBy: approverId, paidBy: null, writtenOffBy: null } });
  });

  it('the approver loads policy versions; a custodian may not (403)', async () => {
    const custodian = await t.http.post('/v1/tokens').set('Authorization', t.auth).send({ role: 'custodian' }).expect(201);
    const res = await t.http.post('/v1/policies').set('Authorization', `Bearer ${custodian.body.token}`).send({}).expect(403);
    expect(res.body.code).toBe('AUTH.FORBIDDEN');
    // The approver passes the role check and reaches validation: an empty body is a 400, not a 403.
    await t.http.post('/v1/policies').set('Authorization', t.approver).send({}).expect(400);
  });
});
