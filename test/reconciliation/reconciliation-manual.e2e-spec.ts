import { createBank } from '../support/factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Issue 14 items 2 and 4: a bank's stored column mapping, a JSON statement, an undone match
 * (who, when, why kept; the lines free again), the instruction statuses following it, and the
 * XLSX export of the instructions.
 */
describe('reconciliation: column mappings, JSON statements, undoing a match (RULES §8)', () => {
  let t: TestApp;
  let bank: string;
  let recId: string;

  beforeAll(async () => {
    t = await startTestApp();
    bank = await createBank(t, 'RM');
    await t.http.post('/v1/reserve/funding').set('Authorization', t.auth).send({ bankCode: bank, amount: '700.00', fundedOn: '2025-03-03', reference: `F-${bank}` }).expect(201);
    await t.http.post('/v1/reserve/interest').set('Authorization', t.auth).send({ bankCode: bank, amount: '12.34', creditedOn: '2025-03-21' }).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  it('a stored mapping names the columns of a bank’s own export; a bad mapping → 400', async () => {
    const bad = await t.http.put(`/v1/statement-mappings/${bank}`).set('Authorization', t.auth).send({ columns: { colour: 'x', date: '' } }).expect(400);
    expect(bad.body.details.map((d: { code: string }) => d.code)).toEqual(['UNKNOWN_FIELD', 'INVALID_VALUE']);
    // A bank the programme does not know gets no mapping.
    const unknown = await t.http.put('/v1/statement-mappings/NO-SUCH-BANK').set('Authorization', t.auth).send({ columns: { date: '记账日' } }).expect(404);
    expect(unknown.body.code).toBe('BANK.NOT_FOUND');
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM statement_column_mappings WHERE bank_code = 'NO-SUCH-BANK'`))[0].n).toBe(0);
    await t.http.put(`/v1/statement-mappings/${bank}`).set('Authorization', t.auth).send({ columns: { date: '记账日', amount: '收支金额', memo: '用途说明' } }).expect(200);
    const got = await t.http.get(`/v1/statement-mappings/${bank}`).set('Authorization', t.auth).expect(200);
    expect(got.body.columns).toEqual({ date: '记账日', amount: '收支金额', memo: '用途说明' });
    const csv = '记账日,收支金额,用途说明\n2025-03-04,700.00,拨款\n2025-03-24,12.34,利息\n';
    const res = await t.http
      .post(`/v1/reconciliations?bankCode=${bank}&from=2025-03-01&to=2025-03-31&openingBalance=0.00&dryRun=true`)
      .set('Authorization', t.auth)
      .set('Content-Type', 'text/csv')
      .send(csv)
      .expect(201);
    // 700.00 one day late, 12.34 three days late (Fri 03-21 → Mon 03-24: one working day): both amount + date.
    expect(res.body).toMatchObject({ matched: 2, unmatchedStatement: 0, unmatchedLedger: 0, closingBalance: '712.34' });
  });

  it('a JSON statement; a match undone with a reason frees its lines and its instruction', async () => {
    const res = await t.http
      .post('/v1/reconciliations')
      .set('Authorization', t.auth)
      .send({ bankCode: bank, from: '2025-03-01', to: '2025-03-31', openingBalance: '0.00', closingBalance: '712.34', lines: [{ date: '2025-03-03', amount: '700.00', memo: '拨款' }, { date: '2025-03-21', amount: '12.34', counterparty: bank }] })
      .expect(201);
    recId = res.body.id;
    expect(res.body).toMatchObject({ source: 'json', matched: 2, difference: '0.00', canClose: true });
    const view = await t.http.get(`/v1/reconciliations/${recId}`).set('Authorization', t.auth).expect(200);
    const interest = view.body.matches.find((m: { statementLines: number[] }) => m.statementLines[0] === 2);
    const undone = await t.http.post(`/v1/reconciliations/${recId}/matches/${interest.id}/undo`).set('Authorization', t.auth).send({ reason: 'matched the wrong credit' }).expect(200);
    expect(undone.body).toMatchObject({ matched: 1, unmatchedStatement: 1, unmatchedLedger: 1, difference: '0.00', canClose: false });
    const again = await t.http.post(`/v1/reconciliations/${recId}/matches/${interest.id}/undo`).set('Authorization', t.auth).send({ reason: 'twice' }).expect(409);
    expect(again.body.code).toBe('RECONCILIATION.MATCH_ALREADY_UNDONE');
    const rows = await t.dataSource.query(`SELECT undone_by, undone_reason, undone_at IS NOT NULL AS undone FROM reconciliation_matches WHERE id = $1`, [interest.id]);
    expect(rows[0]).toMatchObject({ undone_reason: 'matched the wrong credit', undone: true, undone_by: expect.any(String) });
    const pending = await t.http.get(`/v1/payment-instructions?bankCode=${bank}&kind=interest`).set('Authorization', t.auth).expect(200);
    expect(pending.body.items.map((i: { status: string; amount: string }) => [i.amount, i.status])).toEqual([['12.34', 'pending']]);
    // The rules again over what is free: the interest line is matched back by amount and date.
    const rematched = await t.http.post(`/v1/reconciliations/${recId}/rematch`).set('Authorization', t.auth).expect(200);
    expect(rematched.body).toMatchObject({ matched: 2, unmatchedStatement: 0, unmatchedLedger: 0 });
    expect(rematched.body.matches.map((m: { method: string; statementLines: number[] }) => [m.method, m.statementLines])).toEqual([
      ['amount-date', [1]],
      ['amount-date', [2]],
    ]);
    const closed = await t.http.post(`/v1/reconciliations/${recId}/close`).set('Authorization', t.auth).expect(200);
    expect(closed.body).toMatchObject({ status: 'closed', difference: '0.00' });
    const matched = await t.http.get(`/v1/payment-instructions?bankCode=${bank}&status=matched`).set('Authorization', t.auth).expect(200);
    expect(matched.body.items).toHaveLength(2);
    const list = await t.http.get(`/v1/reconciliations?bankCode=${bank}`).set('Authorization', t.auth).expect(200);
    expect(list.body).toEqual({ items: [expect.objectContaining({ id: recId, from: '2025-03-01', to: '2025-03-31', status: 'closed', closingBalance: '712.34', lineCount: 2 })], nextCursor: null });
    const open = await t.http.get(`/v1/reconciliations?bankCode=${bank}&status=open`).set('Authorization', t.auth).expect(200);
    expect(open.body.items).toEqual([]);
  });

  it('the instructions export as XLSX; an unknown status → 400', async () => {
    const x = await t.http.get(`/v1/payment-instructions?bankCode=${bank}&format=xlsx`).set('Authorization', t.auth).buffer(true).expect(200);
    expect(x.headers['content-type']).toContain('spreadsheetml');
    const bad = await t.http.get('/v1/payment-instructions?status=lost').set('Authorization', t.auth).expect(400);
    expect(bad.body.code).toBe('REQUEST.INVALID');
  });

  it('an uploaded file with an Idempotency-Key: the same bytes replay the first answer, other bytes → 409', async () => {
    const key = `recon-${bank}`;
    const csv = (amount: string) => `date,amount\n2025-04-02,${amount}\n`;
    const send = (amount: string) =>
      t.http
        .post(`/v1/reconciliations?bankCode=${bank}&from=2025-04-01&to=2025-04-30&openingBalance=712.34&dryRun=true`)
        .set('Authorization', t.auth)
        .set('Idempotency-Key', key)
        .set('Content-Type', 'text/csv')
        .send(csv(amount));
    const first = await send('1.00').expect(201);
    const replay = await send('1.00').expect(201);
    expect(replay.body).toEqual(first.body);
    const other = await send('2.00').expect(409);
    expect(other.body.code).toBe('IDEMPOTENCY.KEY_REUSED');
  });
});
