import { createAgency, createBank, createBorrower, registerLoan, signAgreement } from '../support/factories';
import { startIsolatedTestApp, TestApp } from '../support/test-app';

/**
 * Issue 13 "Done when": the placement cycle end to end, through the API, on a database of its own.
 *
 * Three banks with different books (RULES §8 scoring model, henan-2021 in force on 2025-03-31, so
 * the cycle is quarterly):
 *   A: two loans of 30,000,000.00, 36 months at 4.35%, collateral 6,000,000.00 each; funded 10,000,000.00
 *   B: one loan of 10,000,000.00, 24 months at 5%, collateral 2,500,000.00;            funded 30,000,000.00
 *   C: one loan of 3,000,000.00, 12 months at 4.35%, collateral 600,000.00;            funded 20,000,000.00
 * C's claim approved and not paid: 1,818,270.00 locked in C's account (3,000,000 × (1 + 84 × 4.35%
 * / 360) × 60%). The reserve is 60,000,000.00; A, with most of the loans, should receive money.
 */
describe('placement cycle: propose → approve → execute (issue 13; RULES §8)', () => {
  let t: TestApp;
  let custodian: string;
  let bankToken: string;
  let A: string;
  let B: string;
  let C: string;
  let proposalId: string;

  const as = (auth: string) => ({
    post: (url: string, body: object = {}) => t.http.post(url).set('Authorization', auth).send(body),
    get: (url: string) => t.http.get(url).set('Authorization', auth),
  });
  const trustee = () => as(t.auth);
  const ok = async (url: string, body: object, status = 201, auth = t.auth) => {
    const res = await t.http.post(url).set('Authorization', auth).send(body);
    if (res.status !== status) throw new Error(`${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const balance = async (code: string) => (await trustee().get(`/v1/ledger/accounts/${code}/balance?book=reserve`).expect(200)).body.balance as string;
  const fen = (s: string) => BigInt(s.replace('.', ''));

  beforeAll(async () => {
    t = await startIsolatedTestApp();
    A = await createBank(t, 'PA');
    B = await createBank(t, 'PB');
    C = await createBank(t, 'PC');
    const agency = await createAgency(t);
    for (const bank of [A, B, C]) await signAgreement(t, bank, agency);
    const borrower = () => createBorrower(t, [{ year: 2023, amount: '18000000.00' }]);
    await registerLoan(t, { bankCode: A, agencyCode: agency, borrowerCode: await borrower(), amount: '30000000.00', termMonths: 36, collateralValue: '6000000.00' });
    await registerLoan(t, { bankCode: A, agencyCode: agency, borrowerCode: await borrower(), amount: '30000000.00', termMonths: 36, collateralValue: '6000000.00' });
    await registerLoan(t, { bankCode: B, agencyCode: agency, borrowerCode: await borrower(), amount: '10000000.00', termMonths: 24, annualRate: '0.05', collateralValue: '2500000.00' });
    const loanC = await registerLoan(t, { bankCode: C, agencyCode: agency, borrowerCode: await borrower() });
    await ok('/v1/reserve/funding', { bankCode: A, amount: '10000000.00', fundedOn: '2025-01-15', reference: `F-${A}` });
    await ok('/v1/reserve/funding', { bankCode: B, amount: '30000000.00', fundedOn: '2025-01-15', reference: `F-${B}` });
    await ok('/v1/reserve/funding', { bankCode: C, amount: '20000000.00', fundedOn: '2025-01-15', reference: `F-${C}` });
    const claim = await ok('/v1/claims', { loanId: loanC.id, claimDate: '2025-04-15', outstandingPrincipal: '3000000.00', interestUnpaidSince: '2025-01-21', principalOverdueSince: '2025-02-10' });
    expect(claim.compensation).toBe('1818270.00');
    await ok(`/v1/claims/${claim.id}/review`, { decision: 'recommend', reviewedOn: '2025-04-20' }, 200);
    await ok('/v1/approval-batches', { claimIds: [claim.id], approvedOn: '2025-05-15' }, 201, t.approver);
    custodian = `Bearer ${(await ok('/v1/tokens', { role: 'custodian' })).token}`;
    bankToken = `Bearer ${(await ok('/v1/tokens', { role: 'bank', partyCode: A })).token}`;
  }, 180_000);
  afterAll(async () => {
    await t.close();
  });

  it('the proposal: inputs per bank, targets summing to the reserve to the fen, the locked money kept, the fewest transfers', async () => {
    const res = await trustee().post('/v1/placements', { quarter: '2025Q1' });
    expect(res.status).toBe(201);
    const p = res.body;
    proposalId = p.id;
    expect(p).toMatchObject({ quarter: '2025Q1', status: 'proposed', asOf: '2025-03-31', total: '60000000.00' });
    const bank = (code: string) => p.banks.find((b: { bankCode: string }) => b.bankCode === code);
    expect(bank(A).inputs).toMatchObject({ outstandingBalance: '60000000.00', averageTermMonths: '36', averageRate: '0.0435', collateralRatio: '0.2', smallBorrowerShare: '1' });
    expect(bank(B).inputs).toMatchObject({ outstandingBalance: '10000000.00', averageTermMonths: '24', averageRate: '0.05', collateralRatio: '0.25' });
    expect(bank(C).inputs).toMatchObject({ outstandingBalance: '3000000.00', averageTermMonths: '12', collateralRatio: '0.2' });
    expect(bank(C).locked).toBe('1818270.00');
    expect(bank(A).locked).toBe('0.00');
    // Largest remainder: the targets add up exactly to the reserve; nobody below its locked money.
    expect(p.banks.reduce((s: bigint, b: { target: string }) => s + fen(b.target), 0n)).toBe(fen('60000000.00'));
    for (const b of p.banks) expect(fen(b.target) >= fen(b.locked)).toBe(true);
    // A holds most of the loans and the least money: it receives; B and C pay.
    expect(fen(bank(A).target)).toBeGreaterThan(fen(bank(A).balance));
    // The transfers move every account exactly to its target, each from a surplus to a deficit, and are as few as a brute force finds.
    const after = new Map<string, bigint>(p.banks.map((b: { bankCode: string; balance: string }) => [b.bankCode, fen(b.balance)]));
    for (const tr of p.transfers) {
      expect(fen(tr.amount) >= fen('10000.00')).toBe(true);
      after.set(tr.fromBankCode, (after.get(tr.fromBankCode) as bigint) - fen(tr.amount));
      after.set(tr.toBankCode, (after.get(tr.toBankCode) as bigint) + fen(tr.amount));
      expect(tr.reference).toMatch(/^RF[0-9A-Z]{8}$/);
      expect(tr.status).toBe('pending');
    }
    for (const b of p.banks) expect(after.get(b.bankCode)).toBe(fen(b.target));
    const deltas = p.banks.map((b: { balance: string; target: string }) => fen(b.target) - fen(b.balance));
    expect(p.transfers.length).toBe(bruteForceMinimumTransfers(deltas));
    expect(p.transfers.length).toBeGreaterThan(0);
  });

  it('a bank token sees its own row and its own transfers only; it cannot approve', async () => {
    const own = await as(bankToken).get(`/v1/placements/${proposalId}`).expect(200);
    expect(own.body.banks.map((b: { bankCode: string }) => b.bankCode)).toEqual([A]);
    for (const tr of own.body.transfers) expect([tr.fromBankCode, tr.toBankCode]).toContain(A);
    expect(own.body.breakdown).toEqual([]);
    expect((await as(bankToken).post(`/v1/placements/${proposalId}/approve`, { approvedOn: '2025-05-20' })).status).toBe(403);
  });

  it('stale: a reserve balance moved → shown stale with the figures, approval refused 409; recomputed, the old one is superseded', async () => {
    await ok('/v1/reserve/interest', { bankCode: A, amount: '1000.00', creditedOn: '2025-05-16' });
    const stale = await trustee().get(`/v1/placements/${proposalId}`).expect(200);
    expect(stale.body.status).toBe('stale');
    expect(stale.body.staleBalances).toEqual([{ bankCode: A, proposed: '10000000.00', now: '10001000.00' }]);
    const refused = await as(t.approver).post(`/v1/placements/${proposalId}/approve`, { approvedOn: '2025-05-20' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('PLACEMENT.STALE');
    const again = await trustee().post('/v1/placements', { quarter: '2025Q1' }).expect(201);
    expect(again.body).toMatchObject({ status: 'proposed', total: '60001000.00' });
    const old = await trustee().get(`/v1/placements/${proposalId}`).expect(200);
    expect(old.body).toMatchObject({ status: 'stale', reason: `superseded by proposal ${again.body.id}` });
    expect((await as(t.approver).post(`/v1/placements/${proposalId}/approve`, { approvedOn: '2025-05-20' })).body.code).toBe('PLACEMENT.STALE');
    proposalId = again.body.id;
    const list = await trustee().get('/v1/placements?quarter=2025Q1').expect(200);
    expect(list.body.items.map((i: { id: string; status: string }) => [i.id, i.status])).toEqual([
      [again.body.id, 'proposed'],
      [old.body.id, 'stale'],
    ]);
  });

  it('approval: not by a trustee while an approver exists, not in the future; by the approver it issues the payment instructions', async () => {
    const byTrustee = await trustee().post(`/v1/placements/${proposalId}/approve`, { approvedOn: '2025-05-20' });
    expect(byTrustee.status).toBe(403);
    expect(byTrustee.body.code).toBe('PLACEMENT.APPROVER_EXISTS');
    expect((await as(t.approver).post(`/v1/placements/${proposalId}/approve`, { approvedOn: '2099-01-01' })).body.code).toBe('DATE.IN_FUTURE');
    expect((await as(t.approver).post(`/v1/placements/${proposalId}/approve`, { approvedOn: '2025-03-01' })).body.code).toBe('DATE.BEFORE_PREVIOUS_STEP');
    const approved = await as(t.approver).post(`/v1/placements/${proposalId}/approve`, { approvedOn: '2025-05-20' }).expect(200);
    expect(approved.body).toMatchObject({ status: 'approved', approvedOn: '2025-05-20' });
    // Only one approved placement per quarter.
    const another = await trustee().post('/v1/placements', { quarter: '2025Q1' });
    expect(another.status).toBe(409);
    expect(another.body.code).toBe('PLACEMENT.ALREADY_APPROVED');
    const instructions = await as(custodian).get('/v1/payment-instructions?kind=placement&limit=100').expect(200);
    const byRef = new Map(instructions.body.items.map((i: { reference: string }) => [i.reference, i]));
    expect(instructions.body.items).toHaveLength(approved.body.transfers.length * 2);
    for (const tr of approved.body.transfers) {
      expect(byRef.get(tr.reference)).toMatchObject({ bankCode: tr.fromBankCode, direction: 'out', amount: tr.amount, status: 'pending', kind: 'placement' });
      expect(byRef.get(tr.inReference)).toMatchObject({ bankCode: tr.toBankCode, direction: 'in', amount: tr.amount, status: 'pending' });
    }
    // A leg is confirmed through the placement route, which posts it; the generic one refuses.
    const generic = await as(custodian).post(`/v1/payment-instructions/${approved.body.transfers[0].reference}/done`, { doneOn: '2025-05-21' });
    expect(generic.status).toBe(409);
    expect(generic.body.code).toBe('INSTRUCTION.PLACEMENT_TRANSFER');
  });

  it('an account move between approval and execution: the old account 0.00 and closed, the bank’s balance unchanged, the proposal not stale', async () => {
    const before = await balance(`reserve:deposit:${A}`);
    await ok(`/v1/reserve/accounts/${A}/moves`, { branch: '中国银行郑州金水支行', accountNumber: '41009876543210987', movedOn: '2025-05-21' }, 201, custodian);
    expect(await balance(`reserve:deposit:${A}`)).toBe('0.00');
    expect(await balance(`reserve:deposit:${A}:2`)).toBe(before);
    const closed = await trustee().post('/v1/ledger/entries', { book: 'reserve', effectiveDate: '2025-05-21', memo: 'into the closed account', lines: [{ account: `reserve:deposit:${A}`, debit: '1.00' }, { account: 'reserve:interest', credit: '1.00' }] });
    expect(closed.status).toBe(409);
    expect((await trustee().get(`/v1/placements/${proposalId}`).expect(200)).body.status).toBe('approved');
  });

  it('execution: a transfer that would breach the paying account’s floor is refused with the figures; each posts once; balances end at the targets', async () => {
    const p = (await trustee().get(`/v1/placements/${proposalId}`).expect(200)).body;
    const first = p.transfers[0];
    const payer = first.fromBankCode;
    // Money leaves the paying account after the approval (a bank charge posted by hand).
    await ok('/v1/ledger/accounts', { book: 'reserve', code: 'reserve:test-charges', name: 'Charges (test)', type: 'expense' });
    const held = await balance(`reserve:deposit:${payer}`);
    const drain = await ok('/v1/ledger/entries', {
      book: 'reserve',
      effectiveDate: '2025-05-21',
      memo: 'test: money taken out after approval',
      lines: [
        { account: 'reserve:test-charges', debit: held },
        { account: `reserve:deposit:${payer}`, credit: held },
      ],
    });
    const refused = await as(custodian).post(`/v1/placements/${proposalId}/transfers/${first.id}/executed`, { executedOn: '2025-05-22' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('PLACEMENT.TRANSFER_BREACHES_FLOOR');
    expect(refused.body.details[0]).toMatchObject({ bankCode: payer, balance: '0.00', amount: first.amount, floor: '0.00' });
    await ok(`/v1/ledger/entries/${drain.id}/reverse`, { effectiveDate: '2025-05-21', memo: 'test: charge reversed' });
    expect(await balance(`reserve:deposit:${payer}`)).toBe(held);

    // Not by the trustee or a bank: the custodian confirms.
    expect((await trustee().post(`/v1/placements/${proposalId}/transfers/${first.id}/executed`, { executedOn: '2025-05-22' })).status).toBe(403);
    const once = await as(custodian).post(`/v1/placements/${proposalId}/transfers/${first.id}/executed`, { executedOn: '2025-05-22' }).expect(200);
    const payerAfter = await balance(`reserve:deposit:${payer}`);
    const twice = await as(custodian).post(`/v1/placements/${proposalId}/transfers/${first.id}/executed`, { executedOn: '2025-05-23' }).expect(200);
    expect(twice.body).toEqual(once.body);
    expect(await balance(`reserve:deposit:${payer}`)).toBe(payerAfter);
    expect(fen(held) - fen(payerAfter)).toBe(fen(first.amount));

    for (const tr of p.transfers.slice(1)) await as(custodian).post(`/v1/placements/${proposalId}/transfers/${tr.id}/executed`, { executedOn: '2025-05-22' }).expect(200);
    const done = (await trustee().get(`/v1/placements/${proposalId}`).expect(200)).body;
    expect(done).toMatchObject({ status: 'executed', executedOn: '2025-05-22' });
    expect(done.transfers.every((tr: { status: string; entryId: string }) => tr.status === 'executed' && tr.entryId)).toBe(true);
    const current = (code: string) => (code === A ? `reserve:deposit:${A}:2` : `reserve:deposit:${code}`);
    for (const b of done.banks) expect(await balance(current(b.bankCode))).toBe(b.target);
    expect(await balance(`reserve:deposit:${A}`)).toBe('0.00');
    // C's locked money never moved below: C still holds at least the compensation it owes.
    expect(fen(await balance(`reserve:deposit:${C}`)) >= fen('1818270.00')).toBe(true);
    // The transfers' legs (the account move's own lines are placement-kind instructions too).
    const legRefs = new Set(done.transfers.flatMap((tr: { reference: string; inReference: string }) => [tr.reference, tr.inReference]));
    const instructions = await as(custodian).get('/v1/payment-instructions?kind=placement&limit=100').expect(200);
    const legs = instructions.body.items.filter((i: { reference: string }) => legRefs.has(i.reference));
    expect(legs).toHaveLength(done.transfers.length * 2);
    expect(legs.every((i: { status: string; entryId: string | null }) => i.status === 'done' && i.entryId)).toBe(true);
    const tb = await trustee().get('/v1/ledger/trial-balance?book=reserve&asOf=2025-12-31').expect(200);
    expect(tb.body.totals.debit).toBe(tb.body.totals.credit);
    expect((await trustee().get('/v1/ledger/verify?book=reserve').expect(200)).body.ok).toBe(true);
  });

  it('issue 14: the receiving bank’s statement (its new account) brings the transfers back — matched by their references, difference 0.00, closed', async () => {
    const p = (await trustee().get(`/v1/placements/${proposalId}`).expect(200)).body;
    const incoming = p.transfers.filter((tr: { toBankCode: string }) => tr.toBankCode === A);
    expect(incoming.length).toBeGreaterThan(0);
    const received = incoming.reduce((s: bigint, tr: { amount: string }) => s + fen(tr.amount), 0n);
    // A's current account since the move (2025-05-21): the whole balance moved in, then the transfers.
    const closing = fen('10001000.00') + received;
    const money = (v: bigint) => `${v / 100n}.${String(v % 100n).padStart(2, '0')}`;
    const rec = await ok('/v1/reconciliations', {
      bankCode: A,
      from: '2025-05-21',
      to: '2025-05-31',
      openingBalance: '0.00',
      closingBalance: money(closing),
      lines: [
        { date: '2025-05-21', amount: '10001000.00', reference: '', counterparty: A, memo: '销户转入' },
        ...incoming.map((tr: { amount: string; inReference: string; fromBankCode: string }) => ({ date: '2025-05-22', amount: tr.amount, reference: tr.inReference, counterparty: tr.fromBankCode, memo: '资金调拨' })),
      ],
    }, 201, custodian);
    expect(rec).toMatchObject({ matched: incoming.length + 1, unmatchedStatement: 0, unmatchedLedger: 0, difference: '0.00' });
    const view = await as(custodian).get(`/v1/reconciliations/${rec.id}`).expect(200);
    expect(view.body.matches.filter((m: { method: string }) => m.method === 'reference')).toHaveLength(incoming.length);
    await as(custodian).post(`/v1/reconciliations/${rec.id}/close`, {}).expect((r) => expect([200, 201]).toContain(r.status));
    const legs = await as(custodian).get('/v1/payment-instructions?kind=placement&status=matched&limit=100').expect(200);
    const inRefs = incoming.map((tr: { inReference: string }) => tr.inReference).sort();
    expect(legs.body.items.map((i: { reference: string }) => i.reference).filter((r: string) => inRefs.includes(r)).sort()).toEqual(inRefs);
  });

  it('a rejected proposal says why; an executed one cannot be rejected', async () => {
    const rejected = await as(t.approver).post(`/v1/placements/${proposalId}/reject`, { reason: 'late' });
    expect(rejected.status).toBe(409);
    expect(rejected.body.code).toBe('PLACEMENT.NOT_PROPOSED');
    expect((await as(t.approver).post(`/v1/placements/${proposalId}/reject`, {})).status).toBe(400);
  });
});

/**
 * The fewest transfers that settle the deltas (Σ = 0), by brute force over every partition of the
 * accounts that move into groups that settle among themselves: a group of k needs k − 1 transfers,
 * so the minimum is (accounts that move) − (most zero-sum groups). Independent of the service's
 * own search (a dynamic programme over subsets).
 */
function bruteForceMinimumTransfers(deltas: bigint[]): number {
  const moving = deltas.filter((d) => d !== 0n);
  if (moving.length > 6) throw new Error('brute force is for at most 6 accounts');
  let best = 0;
  const assign = (i: number, groups: bigint[]) => {
    if (i === moving.length) {
      if (groups.every((g) => g === 0n)) best = Math.max(best, groups.length);
      return;
    }
    for (let g = 0; g < groups.length; g++) {
      groups[g] += moving[i];
      assign(i + 1, groups);
      groups[g] -= moving[i];
    }
    groups.push(moving[i]);
    assign(i + 1, groups);
    groups.pop();
  };
  assign(0, []);
  return moving.length - best;
}
