import { buildAccessWorld, type AccessWorld } from './access-world';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Issue #15 item 4 in the services: a bank sees its own loans, claims, reports, reserve account
 * (balance and statement) and the programme-wide totals, never another bank's balances,
 * borrowers or claims; it may not edit another bank's borrower; an agency sees the loans it
 * reviewed and its own margin. The three probes of the issue first.
 */
describe('confidentiality between parties (issue #15)', () => {
  let t: TestApp;
  let w: AccessWorld;
  const get = (path: string, auth: string) => t.http.get(path).set('Authorization', auth);

  beforeAll(async () => {
    t = await startTestApp();
    w = await buildAccessWorld(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('probe 1: bank A cannot read an approval batch of bank B’s claims (404), and sees only its own claim of a mixed batch', async () => {
    const only = await get(`/v1/approval-batches/${w.batchB}`, w.tokens.bankA).expect(404);
    expect(only.body.code).toBe('BATCH.NOT_FOUND');
    const mixed = await get(`/v1/approval-batches/${w.batchMixed}`, w.tokens.bankA).expect(200);
    expect(mixed.body.claims.map((c: { id: string }) => c.id)).toEqual([w.claimA]);
    // 1,000,000.00 outstanding at 4.35% from 2025-03-21 to 2025-07-15 (116 days): loss 1,014,016.67 × 60% = 608,410.00.
    expect(mixed.body).toMatchObject({ claimCount: 1, totalCompensation: mixed.body.claims[0].compensation });
    expect(JSON.stringify(mixed.body)).not.toContain(w.claimB2);
    const full = await get(`/v1/approval-batches/${w.batchMixed}`, w.tokens.auditor).expect(200);
    expect(full.body.claimCount).toBe(2);
    // The agency reviewed both banks' loans: it sees both claims.
    const agency = await get(`/v1/approval-batches/${w.batchMixed}`, w.tokens.agency).expect(200);
    expect(agency.body.claimCount).toBe(2);
    await get(`/v1/approval-batches/${w.batchMixed}`, w.tokens.agencyOther).expect(404);
  });

  it('probe 2: GET /v1/reserve shows bank A the programme totals and its own balance only', async () => {
    const mine = await get('/v1/reserve?asOf=2025-06-30', w.tokens.bankA).expect(200);
    expect(mine.body.banks).toEqual([{ bankCode: w.bankA, balance: '5000000.00' }]);
    const all = await get('/v1/reserve?asOf=2025-06-30', w.tokens.custodian).expect(200);
    expect(mine.body.total).toBe(all.body.total);
    expect(mine.body.band).toEqual(all.body.band);
    expect(all.body.banks).toEqual(expect.arrayContaining([{ bankCode: w.bankB, balance: '5000000.00' }]));
    const agency = await get('/v1/reserve?asOf=2025-06-30', w.tokens.agency).expect(200);
    expect(agency.body.banks).toEqual([]);
  });

  it('probe 3: a bank cannot read an agency’s margin (its deductions name other banks’ claims): 403; the agency reads its own, not another’s', async () => {
    const res = await get(`/v1/agencies/${w.agency}/margin`, w.tokens.bankA).expect(403);
    expect(res.body.code).toBe('AUTH.PARTY_SCOPE');
    const own = await get(`/v1/agencies/${w.agency}/margin`, w.tokens.agency).expect(200);
    expect(own.body.deductions.map((d: { claimId: string }) => d.claimId).sort()).toEqual([w.claimA, w.claimB, w.claimB2].sort());
    await get(`/v1/agencies/${w.agency}/margin`, w.tokens.agencyOther).expect(403);
  });

  it('a bank reads its own reserve account’s balance and statement (403 before issue #15), not bank B’s', async () => {
    const statement = await get(`/v1/ledger/accounts/reserve:deposit:${w.bankA}/statement?book=reserve&from=2025-01-01&to=2025-12-31`, w.tokens.bankA).expect(200);
    expect(statement.body.closing.balance).toBe('5000000.00');
    const balance = await get(`/v1/ledger/accounts/reserve:deposit:${w.bankA}/balance?book=reserve`, w.tokens.bankA).expect(200);
    expect(balance.body.balance).toBe('5000000.00');
    await get(`/v1/ledger/accounts/reserve:payable:${w.bankA}/balance?book=reserve`, w.tokens.bankA).expect(200);
    for (const path of [
      `/v1/ledger/accounts/reserve:deposit:${w.bankB}/statement?book=reserve`,
      `/v1/ledger/accounts/reserve:deposit:${w.bankB}/balance?book=reserve`,
      `/v1/ledger/accounts/reserve:capital/balance?book=reserve`,
      `/v1/ledger/accounts/reserve:awaiting-recovery:${w.claimA}/balance?book=reserve`,
    ]) {
      const res = await get(path, w.tokens.bankA).expect(403);
      expect(res.body.code).toBe('AUTH.PARTY_SCOPE');
    }
    await get(`/v1/ledger/accounts/reserve:deposit:${w.bankA}/balance?book=reserve`, w.tokens.agency).expect(403);
  });

  it('a bank sees and edits only the borrowers it registered: another bank’s is a 404 and its revenue is unchanged', async () => {
    await get(`/v1/borrowers/${w.borrowerA}`, w.tokens.bankA).expect(200);
    await get(`/v1/borrowers/${w.borrowerB}`, w.tokens.bankA).expect(404);
    const list = await get('/v1/borrowers?limit=1000', w.tokens.bankA).expect(200);
    const codes = list.body.items.map((b: { code: string }) => b.code);
    expect(codes).toContain(w.borrowerA);
    expect(codes).not.toContain(w.borrowerB);
    const edit = await t.http.put(`/v1/borrowers/${w.borrowerB}/revenues`).set('Authorization', w.tokens.bankA).send({ year: 2023, amount: '1.00' }).expect(404);
    expect(edit.body.code).toBe('BORROWER.NOT_FOUND');
    await t.http.put(`/v1/borrowers/${w.borrowerB}/research-cooperation`).set('Authorization', w.tokens.bankA).send({ researchCooperation: true }).expect(404);
    await t.http.post(`/v1/borrowers/${w.borrowerB}/qualifications`).set('Authorization', w.tokens.bankA).send({ kind: 'tech_sme', validFrom: '2025-01-01' }).expect(404);
    await t.http.put(`/v1/borrowers/${w.borrowerB}/qualifications/${w.qualificationB}`).set('Authorization', w.tokens.bankA).send({ kind: 'high_tech', validFrom: '2020-01-01' }).expect(404);
    await get(`/v1/borrowers/${w.borrowerB}/agency-changes`, w.tokens.bankA).expect(404);
    const b = await get(`/v1/borrowers/${w.borrowerB}`, w.tokens.bankB).expect(200);
    expect(b.body.revenues).toEqual([{ year: 2023, amount: '18000000.00' }]);
    expect(b.body.researchCooperation).toBe(false);
    // Its own: allowed.
    await t.http.put(`/v1/borrowers/${w.borrowerA}/revenues`).set('Authorization', w.tokens.bankA).send({ year: 2024, amount: '19000000.00' }).expect(200);
  });

  it('a bank’s loans, claims and reports are its own: B’s by id are 404, and lists show only A’s', async () => {
    await get(`/v1/loans/${w.loanB}`, w.tokens.bankA).expect(404);
    await get(`/v1/claims/${w.claimB}`, w.tokens.bankA).expect(404);
    await get(`/v1/bank-reports/${w.reportB}`, w.tokens.bankA).expect((r) => expect([403, 404]).toContain(r.status));
    await get(`/v1/bank-reports/${w.reportB}/rows`, w.tokens.bankA).expect((r) => expect([403, 404]).toContain(r.status));
    const claims = await get('/v1/claims?limit=1000', w.tokens.bankA).expect(200);
    expect(claims.body.items.map((c: { id: string }) => c.id)).toEqual([w.claimA]);
    const loans = await get('/v1/loans?limit=1000', w.tokens.bankA).expect(200);
    expect(loans.body.items.map((l: { id: string }) => l.id)).toEqual([w.loanA]);
    await get(`/v1/claims/statement?bankCode=${w.bankB}`, w.tokens.bankA).expect(403);
    await get(`/v1/claims/${w.claimA}`, w.tokens.bankA).expect(200);
  });

  it('a loan by the bank’s reference (issue 17): a bank finds its own, never another bank’s', async () => {
    const own = await get(`/v1/loans?reference=${encodeURIComponent(w.loanRefA)}`, w.tokens.bankA).expect(200);
    expect(own.body.items.map((l: { id: string; reference: string }) => [l.id, l.reference])).toEqual([[w.loanA, w.loanRefA]]);
    const other = await get(`/v1/loans?reference=${encodeURIComponent(w.loanRefB)}`, w.tokens.bankA).expect(200);
    expect(other.body.items).toEqual([]);
    const otherByBank = await get(`/v1/loans?reference=${encodeURIComponent(w.loanRefB)}&bankCode=${w.bankB}`, w.tokens.bankA).expect(200);
    expect(otherByBank.body.items).toEqual([]);
    const trustee = await get(`/v1/loans?reference=${encodeURIComponent(w.loanRefB)}`, w.tokens.trustee).expect(200);
    expect(trustee.body.items.map((l: { id: string }) => l.id)).toEqual([w.loanB]);
  });

  it('another bank’s loss rate and annual-cap room are not shown to a bank token; its own are', async () => {
    const other = await get(`/v1/banks/${w.bankB}`, w.tokens.bankA).expect(200);
    expect(other.body).toMatchObject({ code: w.bankB, lossRate: null, annualCap: null });
    const own = await get(`/v1/banks/${w.bankA}`, w.tokens.bankA).expect(200);
    const trustee = await get(`/v1/banks/${w.bankA}`, w.tokens.trustee).expect(200);
    expect(own.body.annualCap).toEqual(trustee.body.annualCap);
  });

  it('an agency sees the loans it reviewed and their claims; another agency sees none of them', async () => {
    const loans = await get('/v1/loans?limit=1000', w.tokens.agency).expect(200);
    expect(loans.body.items.map((l: { id: string }) => l.id).sort()).toEqual(expect.arrayContaining([w.loanA, w.loanB].sort()));
    await get(`/v1/loans/${w.loanA}`, w.tokens.agencyOther).expect(404);
    await get(`/v1/claims/${w.claimA}`, w.tokens.agencyOther).expect(404);
    const none = await get('/v1/loans?limit=1000', w.tokens.agencyOther).expect(200);
    expect(none.body.items).toEqual([]);
  });
});
