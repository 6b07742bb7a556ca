import ExcelJS from 'exceljs';
import { GuardRefusalRecorder } from '../../src/audit/guard-refusals';
import { createAgency, createBank, createBorrower, registerLoan, signAgreement } from '../support/factories';
import { startIsolatedTestApp, TestApp, uniqueCode } from '../support/test-app';

interface Row {
  seq: number;
  requestId: string | null;
  actor: { tokenId: string | null; role: string | null; partyCode: string | null };
  action: string;
  targetIds: string[];
  outcome: { status: number; code: string | null };
}

/**
 * Issue #15 item 1, "Done when": audit-log rows for a full claim lifecycle with the right actors;
 * the row commits with the change (or not at all); an UPDATE on the audit table is rejected;
 * verify finds a tampered row. On a database of its own (the tamper stays there).
 */
describe('audit trail (issue #15)', () => {
  let t: TestApp;
  let bank: string;
  let bankToken: string;
  let custodian: string;
  let auditor: string;
  let claimId: string;
  const ids: Record<string, string> = {};
  const requestIds: Record<string, string> = {};
  const me = async (auth: string) => (await t.http.get('/v1/tokens/me').set('Authorization', auth).expect(200)).body.id as string;
  const issue = async (body: object) => `Bearer ${(await t.http.post('/v1/tokens').set('Authorization', t.auth).send(body).expect(201)).body.token}`;
  const log = async (query: string) => (await t.http.get(`/v1/audit-log?${query}`).set('Authorization', auditor).expect(200)).body as { items: Row[]; nextCursor: string | null };

  beforeAll(async () => {
    t = await startIsolatedTestApp();
    bank = await createBank(t);
    const agency = await createAgency(t);
    await signAgreement(t, bank, agency);
    const borrower = await createBorrower(t, [{ year: 2023, amount: '18000000.00' }]);
    const loan = await registerLoan(t, { bankCode: bank, agencyCode: agency, borrowerCode: borrower });
    await t.http.post('/v1/reserve/funding').set('Authorization', t.auth).send({ bankCode: bank, amount: '5000000.00', fundedOn: '2025-01-15', reference: uniqueCode('F') }).expect(201);
    bankToken = await issue({ role: 'bank', partyCode: bank });
    custodian = await issue({ role: 'custodian' });
    auditor = await issue({ role: 'auditor' });
    ids.trustee = await me(t.auth);
    ids.approver = await me(t.approver);
    ids.bank = await me(bankToken);
    ids.custodian = await me(custodian);

    const step = async (name: string, auth: string, path: string, body: object, status: number) => {
      const res = await t.http.post(path).set('Authorization', auth).send(body).expect(status);
      requestIds[name] = res.headers['x-request-id'];
      return res.body;
    };
    claimId = (
      await step('file', bankToken, '/v1/claims', { loanId: loan.id, claimDate: '2025-07-15', outstandingPrincipal: '3000000.00', interestUnpaidSince: '2025-03-21', principalOverdueSince: '2025-05-10' }, 201)
    ).id;
    await step('review', t.auth, `/v1/claims/${claimId}/review`, { decision: 'recommend', reviewedOn: '2025-07-25' }, 200);
    await step('selfApprove', t.auth, '/v1/approval-batches', { claimIds: [claimId], approvedOn: '2025-09-30' }, 403);
    await step('approve', t.approver, '/v1/approval-batches', { claimIds: [claimId], approvedOn: '2025-09-30' }, 201);
    await step('payout', custodian, `/v1/claims/${claimId}/payout`, { paidOn: '2025-10-10' }, 200);
    await step('receipt', bankToken, `/v1/claims/${claimId}/receipt`, { receivedOn: '2025-10-11' }, 200);
    await step('writeOff', t.approver, `/v1/claims/${claimId}/write-off`, { writtenOffOn: '2025-12-01' }, 200);
  });
  afterAll(async () => {
    await t.close();
  });

  it('a claim’s whole lifecycle is in the log, oldest to newest, each step with its actor, request id and outcome', async () => {
    const rows = (await log(`target=${claimId}&limit=100`)).items.reverse();
    expect(rows.map((r) => [r.action, r.actor.tokenId, r.actor.role, r.outcome.status, r.outcome.code])).toEqual([
      ['POST /v1/claims', ids.bank, 'bank', 201, null],
      ['POST /v1/claims/:id/review', ids.trustee, 'trustee', 200, null],
      ['POST /v1/approval-batches', ids.trustee, 'trustee', 403, 'AUTH.FOUR_EYES'],
      ['POST /v1/approval-batches', ids.approver, 'approver', 201, null],
      ['POST /v1/claims/:id/payout', ids.custodian, 'custodian', 200, null],
      ['POST /v1/claims/:id/receipt', ids.bank, 'bank', 200, null],
      ['POST /v1/claims/:id/write-off', ids.approver, 'approver', 200, null],
    ]);
    expect(rows.map((r) => r.requestId)).toEqual(['file', 'review', 'selfApprove', 'approve', 'payout', 'receipt', 'writeOff'].map((n) => requestIds[n]));
    expect(rows[0].actor.partyCode).toBe(bank);
    const claim = await t.http.get(`/v1/claims/${claimId}`).set('Authorization', auditor).expect(200);
    expect(claim.body.actors).toEqual({ reviewedBy: ids.trustee, approvedBy: ids.approver, paidBy: ids.custodian, writtenOffBy: ids.approver });
    // The batch row names the batch it created as well as the claim.
    expect(rows[3].targetIds).toEqual(expect.arrayContaining([claimId, claim.body.approvalBatchId]));
  });

  it('filters by actor (token or party), action, outcome and date; pages newest first', async () => {
    const byParty = (await log(`actor=${bank}`)).items;
    expect(byParty.map((r) => r.action).sort()).toEqual(['POST /v1/claims', 'POST /v1/claims/:id/receipt']);
    expect((await log(`actor=${ids.custodian}`)).items.map((r) => r.action)).toEqual(['POST /v1/claims/:id/payout']);
    const refused = (await log('outcome=refused')).items;
    expect(refused.every((r) => r.outcome.status >= 400)).toBe(true);
    expect(refused.map((r) => r.outcome.code)).toContain('AUTH.FOUR_EYES');
    expect((await log('action=POST%20/v1/claims')).items.every((r) => r.action.startsWith('POST /v1/claims'))).toBe(true);
    expect((await log('from=2000-01-01&to=2000-12-31')).items).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    const first = await log(`from=${today}&to=${today}&limit=2`);
    expect(first.items).toHaveLength(2);
    const second = await log(`from=${today}&to=${today}&limit=2&cursor=${first.nextCursor}`);
    expect(second.items[0].seq).toBeLessThan(first.items[1].seq);
    await t.http.get('/v1/audit-log').set('Authorization', bankToken).expect(403);
    await t.http.get('/v1/audit-log').set('Authorization', t.auth).expect(200);
    await t.http.get('/v1/audit-log?from=2026-02-01&to=2026-01-01').set('Authorization', auditor).expect(400);
  });

  it('pure calculations (calculators, working days) are not writes: not recorded', async () => {
    await t.http.post('/v1/calculators/margin-deduction').set('Authorization', bankToken).send({ reviewedBalance: '100000000.00', priorNetCompensation: '1500000.00', compensation: '2000000.00' }).expect(200);
    expect((await log('action=POST%20/v1/calculators')).items).toEqual([]);
  });

  it('the audit row is written in the same transaction as the change: when it cannot be written, the change is not made either', async () => {
    await t.dataSource.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_test_refuse CHECK (action <> 'POST /v1/banks' OR status >= 400) NOT VALID`);
    try {
      const plain = uniqueCode('BK');
      const keyed = uniqueCode('BK');
      const a = await t.http.post('/v1/banks').set('Authorization', t.auth).send({ code: plain, name: 'no audit, no bank' });
      const b = await t.http.post('/v1/banks').set('Authorization', t.auth).set('Idempotency-Key', uniqueCode('K')).send({ code: keyed, name: 'no audit, no bank' });
      expect(a.status).toBeGreaterThanOrEqual(400);
      expect(b.status).toBeGreaterThanOrEqual(400);
      const rows = (await t.dataSource.query(`SELECT code FROM banks WHERE code IN ($1, $2)`, [plain, keyed])) as unknown[];
      expect(rows).toEqual([]);
    } finally {
      await t.dataSource.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_test_refuse`);
    }
    const ok = uniqueCode('BK');
    await t.http.post('/v1/banks').set('Authorization', t.auth).set('Idempotency-Key', uniqueCode('K')).send({ code: ok, name: 'audited' }).expect(201);
    expect((await log(`target=${ok}`)).items.map((r) => [r.action, r.outcome.status])).toEqual([['POST /v1/banks', 201]]);
  });

  it('a refusal under an Idempotency-Key is recorded once its transaction has ended, before the answer; the replay is not a second write', async () => {
    const key = uniqueCode('K');
    const send = () => t.http.post(`/v1/claims/${claimId}/review`).set('Authorization', t.auth).set('Idempotency-Key', key).send({ decision: 'recommend', reviewedOn: '2025-07-25' });
    const res = await send().expect(409);
    const rows = (await log(`target=${claimId}&outcome=refused`)).items.filter((r) => r.requestId === res.headers['x-request-id']);
    expect(rows.map((r) => [r.action, r.outcome.status, r.outcome.code])).toEqual([['POST /v1/claims/:id/review', 409, res.body.code]]);
    await send().expect(409);
  });

  it('exports are recorded: the ledger export, the claim statement and the audit log’s own CSV', async () => {
    await t.http.get('/v1/ledger/export?book=reserve&format=csv').set('Authorization', auditor).expect(200);
    await t.http.get(`/v1/claims/statement?bankCode=${bank}&format=csv`).set('Authorization', bankToken).expect(200);
    const csv = await t.http.get(`/v1/audit-log/export?target=${claimId}`).set('Authorization', auditor).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    // UTF-8 with the byte-order mark by default (issue 17, docs/exports.md); trim() drops it.
    expect(csv.text.startsWith('\ufeff')).toBe(true);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('seq,occurredAt,requestId,actorTokenId,actorRole,actorParty,action,targetIds,status,errorCode,hash');
    expect(lines).toHaveLength(1 + (await log(`target=${claimId}&limit=100`)).items.length);
    expect(lines[1]).toContain(',POST /v1/claims,');
    // A streamed export (the handler writes the response itself) is recorded once the handler has
    // returned, which is after the client has the last byte: its row may land a moment later.
    const exportsRecorded = async () => (await log('action=GET%20/v1')).items.map((r) => [r.action, r.actor.role, r.outcome.status]);
    let recorded = await exportsRecorded();
    for (let i = 0; i < 40 && !recorded.some((r) => r[0] === 'GET /v1/audit-log/export'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      recorded = await exportsRecorded();
    }
    expect(recorded).toEqual(
      expect.arrayContaining([
        ['GET /v1/ledger/export', 'auditor', 200],
        ['GET /v1/claims/statement', 'bank', 200],
        ['GET /v1/audit-log/export', 'auditor', 200],
      ]),
    );
  });

  it('the audit log as XLSX: streamed, byte-identical twice; seq and status numbers, occurredAt a date, ids and hashes text', async () => {
    const get = () =>
      t.http
        .get(`/v1/audit-log/export?format=xlsx&target=${claimId}`)
        .set('Authorization', auditor)
        .buffer(true)
        .parse((res, cb) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => cb(null, Buffer.concat(chunks)));
        })
        .expect(200);
    const a = await get();
    expect(a.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(a.headers['content-disposition']).toBe('attachment; filename="audit-log.xlsx"');
    await new Promise((r) => setTimeout(r, 1100)); // a later second: zip timestamps must not move
    const b = await get();
    expect(Buffer.compare(a.body as Buffer, b.body as Buffer)).toBe(0);

    const listed = (await log(`target=${claimId}&limit=100`)).items.reverse() as (Row & { occurredAt: string; hash: string })[];
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(a.body as Buffer);
    const sheet = wb.getWorksheet('Audit log') as ExcelJS.Worksheet;
    expect(sheet.getRow(1).values).toEqual([undefined, 'seq', 'occurredAt', 'requestId', 'actorTokenId', 'actorRole', 'actorParty', 'action', 'targetIds', 'status', 'errorCode', 'hash']);
    expect(sheet.actualRowCount).toBe(1 + listed.length);
    const filed = sheet.getRow(2);
    const first = listed[0];
    expect(filed.getCell(1).value).toBe(first.seq);
    expect(filed.getCell(2).value).toBeInstanceOf(Date);
    expect((filed.getCell(2).value as Date).toISOString()).toBe(first.occurredAt);
    expect(filed.getCell(2).numFmt).toBe('yyyy-mm-dd hh:mm:ss.000');
    expect(filed.getCell(3).value).toBe(requestIds.file);
    expect(filed.getCell(4).value).toBe(ids.bank);
    expect([filed.getCell(5).value, filed.getCell(6).value, filed.getCell(7).value]).toEqual(['bank', bank, 'POST /v1/claims']);
    expect(filed.getCell(8).value).toBe(first.targetIds.join(' '));
    expect(filed.getCell(9).value).toBe(201);
    expect(filed.getCell(10).value).toBeNull();
    expect(filed.getCell(11).value).toBe(first.hash);
    const refused = listed.findIndex((r) => r.outcome.status === 403);
    expect(sheet.getRow(2 + refused).getCell(10).value).toBe('AUTH.FOUR_EYES');
  });

  it('requests the guards refuse leave a row: a 403 of the role check with its actor; a flood of 401s is counted per source and minute, not a row each', async () => {
    // A token of its own: an earlier refusal of the same token this minute would be counted, not a row of its own.
    const otherBank = await issue({ role: 'bank', partyCode: bank });
    const otherId = await me(otherBank);
    const forbidden = await t.http.post('/v1/banks').set('Authorization', otherBank).send({ code: uniqueCode('BK'), name: 'not for a bank' }).expect(403);
    const noToken = [];
    for (let i = 0; i < 6; i++) noToken.push(await t.http.get(`/v1/claims/${claimId}`).expect(401));
    for (let i = 0; i < 3; i++) noToken.push(await t.http.post('/v1/banks').set('Authorization', 'Bearer rf_not-a-real-token').send({ code: 'X', name: 'Y' }).expect(401));
    await t.app.get(GuardRefusalRecorder).flush();

    const row403 = (await log(`actor=${otherId}&outcome=refused`)).items;
    expect(row403.map((r) => [r.requestId, r.actor.role, r.actor.partyCode, r.outcome.status, r.outcome.code])).toEqual([
      [forbidden.headers['x-request-id'], 'bank', bank, 403, 'AUTH.FORBIDDEN'],
    ]);

    const unauthenticated = (await log('outcome=refused&limit=100')).items.filter((r) => r.outcome.status === 401);
    expect(unauthenticated.every((r) => r.actor.tokenId === null && r.outcome.code === 'AUTH.UNAUTHENTICATED')).toBe(true);
    expect(unauthenticated.every((r) => r.targetIds.some((x) => x.startsWith('source:')))).toBe(true);
    const firsts = unauthenticated.filter((r) => r.action !== 'REPEATED REFUSALS');
    // The first of the minute, with its request id and route (the auth guard's) or path (the edge's, before routing).
    expect(firsts.map((r) => r.requestId)).toEqual(expect.arrayContaining([noToken[0].headers['x-request-id']]));
    expect(firsts.map((r) => r.action)).toContain('GET /v1/claims/:id');
    const counted = unauthenticated.filter((r) => r.action === 'REPEATED REFUSALS').map((r) => Number(r.targetIds.find((x) => x.startsWith('count:'))?.slice(6)));
    expect(firsts.length + counted.reduce((x, y) => x + y, 0)).toBe(9);
    expect(unauthenticated.length).toBeLessThanOrEqual(4);
  });

  it('the table is append-only: UPDATE, DELETE and TRUNCATE are rejected by the database', async () => {
    await expect(t.dataSource.query(`UPDATE audit_log SET actor_role = 'auditor' WHERE seq = 1`)).rejects.toThrow(/AUDIT\.APPEND_ONLY/);
    await expect(t.dataSource.query(`DELETE FROM audit_log WHERE seq = 1`)).rejects.toThrow(/AUDIT\.APPEND_ONLY/);
    await expect(t.dataSource.query(`TRUNCATE audit_log`)).rejects.toThrow(/AUDIT\.APPEND_ONLY/);
    await expect(t.dataSource.query(`UPDATE audit_log_head SET last_seq = 1`)).rejects.toThrow(/AUDIT\.APPEND_ONLY/);
  });

  it('verify walks the chain: ok while intact, and names the first row changed behind the triggers’ back', async () => {
    const before = (await t.http.get('/v1/audit-log/verify').set('Authorization', auditor).expect(200)).body;
    expect(before).toMatchObject({ ok: true, broken: null, headMatches: true });
    expect(before.entries).toBeGreaterThan(10);
    const target = (await log(`target=${claimId}&limit=100`)).items.find((r) => r.action === 'POST /v1/claims/:id/payout') as Row;
    // An owner (or superuser) can switch the trigger off; the chain still tells.
    await t.dataSource.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change`);
    try {
      await t.dataSource.query(`UPDATE audit_log SET actor_role = 'trustee' WHERE seq = $1`, [target.seq]);
    } finally {
      await t.dataSource.query(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change`);
    }
    const after = (await t.http.get('/v1/audit-log/verify').set('Authorization', auditor).expect(200)).body;
    expect(after).toMatchObject({ ok: false, broken: { seq: target.seq, reason: 'hash_mismatch' } });
  });
});
