import { startTestApp, TestApp } from '../support/test-app';
import { createBorrower, createParties, freezeToday, issueToken, loanBody, Parties } from './loan-fixtures';

describe('disbursement, quarterly bank reports, outstanding balances (issue #5 items 3, 4, 6)', () => {
  let t: TestApp;
  let restore: (() => void) | null = null;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterEach(() => {
    restore?.();
    restore = null;
  });
  afterAll(async () => {
    await t.close();
  });

  const today = (date: string) => {
    restore?.();
    restore = freezeToday(t, date);
  };

  async function registeredLoan(p: Parties, overrides: Record<string, unknown> = {}) {
    const res = await t.http
      .post('/v1/loans')
      .set('Authorization', t.auth)
      .send(loanBody(p, await createBorrower(t), overrides));
    if (res.status !== 201) throw new Error(`registration: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; reference: string };
  }

  async function disbursedLoan(p: Parties, disbursedOn: string, amount = '3000000.00', overrides: Record<string, unknown> = {}) {
    // The registration has happened by the disbursement day (RULES §4, dates 2026-12).
    today(disbursedOn);
    const loan = await registeredLoan(p, overrides);
    await t.http.post(`/v1/loans/${loan.id}/disbursement`).set('Authorization', t.auth).send({ disbursedOn, amount }).expect(201);
    return loan;
  }

  describe('disbursement (B 第十条)', () => {
    it('reported 2025-03-25 for a 2025-03-12 disbursement: due 2025-03-19 (5 working days) → late', async () => {
      const p = await createParties(t);
      const loan = await registeredLoan(p);
      today('2025-03-25');
      const res = await t.http
        .post(`/v1/loans/${loan.id}/disbursement`)
        .set('Authorization', t.auth)
        .send({ disbursedOn: '2025-03-12', amount: '3000000.00' })
        .expect(201);
      expect(res.body.disbursement).toEqual({
        disbursedOn: '2025-03-12',
        amount: '3000000.00',
        reportedOn: '2025-03-25',
        reportDueOn: '2025-03-19',
        late: true,
      });
    });

    it('reported on the 5th working day → not late; the Qingming holiday (2025-04-04) is skipped', async () => {
      const p = await createParties(t);
      const loan = await registeredLoan(p);
      // 2025-04-01 (Tue) + 5 working days: 04-02, 04-03, (04-04 holiday, weekend), 04-07, 04-08, 04-09.
      today('2025-04-09');
      const res = await t.http
        .post(`/v1/loans/${loan.id}/disbursement`)
        .set('Authorization', t.auth)
        .send({ disbursedOn: '2025-04-01', amount: '2500000.00' })
        .expect(201);
      expect(res.body.disbursement).toMatchObject({ reportDueOn: '2025-04-09', late: false, amount: '2500000.00' });
      const again = await t.http
        .post(`/v1/loans/${loan.id}/disbursement`)
        .set('Authorization', t.auth)
        .send({ disbursedOn: '2025-04-01', amount: '2500000.00' })
        .expect(409);
      expect(again.body.code).toBe('LOAN.ALREADY_DISBURSED');
    });

    it('more than registered, or before registration → 422 with each reason', async () => {
      const p = await createParties(t);
      const loan = await registeredLoan(p);
      today('2025-04-09');
      const above = await t.http
        .post(`/v1/loans/${loan.id}/disbursement`)
        .set('Authorization', t.auth)
        .send({ disbursedOn: '2025-03-12', amount: '3000000.01' })
        .expect(422);
      expect(above.body.code).toBe('LOAN.DISBURSEMENT_ABOVE_REGISTERED');
      const both = await t.http
        .post(`/v1/loans/${loan.id}/disbursement`)
        .set('Authorization', t.auth)
        .send({ disbursedOn: '2025-03-09', amount: '3000000.01' })
        .expect(422);
      expect(both.body.details.map((d: { code: string }) => d.code)).toEqual([
        'LOAN.DISBURSEMENT_ABOVE_REGISTERED',
        'LOAN.DISBURSED_BEFORE_REGISTRATION',
      ]);
      const got = await t.http.get(`/v1/loans/${loan.id}`).set('Authorization', t.auth).expect(200);
      expect(got.body.disbursement).toBeNull();
    });
  });

  describe('bank reports', () => {
    it('JSON report before the 10th → on time; re-sent after the 10th → version 2, late, the old version kept', async () => {
      const p = await createParties(t);
      const a = await disbursedLoan(p, '2025-03-12');
      const b = await disbursedLoan(p, '2025-03-13', '2000000.00');
      today('2025-04-08');
      const first = await t.http
        .post('/v1/bank-reports')
        .set('Authorization', t.auth)
        .send({
          bankCode: p.bankCode,
          quarter: '2025Q1',
          rows: [
            { loanReference: a.reference, outstandingPrincipal: '2900000.00', repaid: '100000.00', assetQuality: 'normal' },
            { loanReference: b.reference, outstandingPrincipal: '2000000.00', repaid: '0.00', assetQuality: 'special_mention' },
          ],
        })
        .expect(201);
      expect(first.body).toMatchObject({
        bankCode: p.bankCode,
        quarter: '2025Q1',
        version: 1,
        rows: 2,
        receivedOn: '2025-04-08',
        dueOn: '2025-04-10',
        late: false,
        outstandingTotal: '4900000.00',
        repaidTotal: '100000.00',
        supersedes: null,
      });

      today('2025-04-11');
      const second = await t.http
        .post('/v1/bank-reports')
        .set('Authorization', t.auth)
        .send({
          bankCode: p.bankCode,
          quarter: '2025Q1',
          rows: [{ loanReference: a.reference, outstandingPrincipal: '2800000.00', repaid: '200000.00', assetQuality: 'normal' }],
        })
        .expect(201);
      expect(second.body).toMatchObject({ version: 2, late: true, dueOn: '2025-04-10', supersedes: first.body.id, outstandingTotal: '2800000.00' });

      const list = await t.http.get(`/v1/bank-reports?bankCode=${p.bankCode}&quarter=2025Q1`).set('Authorization', t.auth).expect(200);
      expect(list.body.items.map((r: { version: number; supersededBy: string | null }) => [r.version, r.supersededBy])).toEqual([
        [2, null],
        [1, second.body.id],
      ]);
      const oldRows = await t.http.get(`/v1/bank-reports/${first.body.id}/rows`).set('Authorization', t.auth).expect(200);
      expect(oldRows.body.items).toHaveLength(2);

      // Outstanding as of the quarter end: a from version 2; b is not in the current version, so
      // it keeps its disbursed amount (no current report row for it).
      const out = await t.http.get('/v1/outstanding?quarter=2025Q1').set('Authorization', t.auth).expect(200);
      expect(out.body.asOf).toBe('2025-03-31');
      expect(out.body.banks).toContainEqual({ bankCode: p.bankCode, outstanding: '4800000.00', loans: 2 });
      expect(out.body.agencies).toContainEqual({ agencyCode: p.agencyCode, outstanding: '4800000.00', loans: 2 });
      const got = await t.http.get(`/v1/loans/${a.id}`).set('Authorization', t.auth).expect(200);
      expect(got.body.latestReport).toEqual({ quarter: '2025Q1', version: 2, outstandingPrincipal: '2800000.00', repaid: '200000.00', assetQuality: 'normal' });
    });

    it('CSV with bad rows → 422 REPORT.INVALID_ROWS listing every bad line; nothing applied', async () => {
      const p = await createParties(t);
      const a = await disbursedLoan(p, '2025-03-12');
      const b = await disbursedLoan(p, '2025-03-13');
      const lateLoan = await disbursedLoan(p, '2025-04-02');
      today('2025-04-09');
      const csv = [
        'loanReference,outstandingPrincipal,repaid,assetQuality',
        `${a.reference},2900000.00,100000.00,normal`,
        `NO-SUCH-LOAN,100.00,0.00,normal`,
        `${b.reference},1.234,0.00,doubtfull`,
        '',
        `${a.reference},2900000.00,100000.00,normal`,
        `${lateLoan.reference},3000000.00,0.00,normal`,
        `${b.reference},3000000.01,0.00,loss`,
        `${b.reference},1000.00`,
      ].join('\r\n');
      const res = await t.http
        .post(`/v1/bank-reports?bankCode=${p.bankCode}&quarter=2025Q1`)
        .set('Authorization', t.auth)
        .set('Content-Type', 'text/csv')
        .send(csv)
        .expect(422);
      expect(res.body.code).toBe('REPORT.INVALID_ROWS');
      const problems = res.body.details.map((d: { line: number; field: string; code: string }) => `${d.line} ${d.field} ${d.code}`);
      expect(problems).toEqual([
        '3 loanReference LOAN_NOT_FOUND',
        '4 outstandingPrincipal TOO_MANY_DECIMALS',
        '4 assetQuality INVALID_ASSET_QUALITY',
        '6 loanReference DUPLICATE_LOAN',
        '7 loanReference LOAN_NOT_DISBURSED',
        '8 loanReference DUPLICATE_LOAN',
        '8 outstandingPrincipal OUTSTANDING_ABOVE_DISBURSED',
        '9 * FIELD_COUNT',
      ]);
      expect(res.body.message).toBe('6 of 7 rows are invalid; nothing was applied.');
      const list = await t.http.get(`/v1/bank-reports?bankCode=${p.bankCode}`).set('Authorization', t.auth).expect(200);
      expect(list.body.items).toEqual([]);
      const n: { n: string }[] = await t.dataSource.query(
        'SELECT count(*) AS n FROM bank_report_rows r JOIN loans l ON l.id = r.loan_id WHERE l.bank_code = $1',
        [p.bankCode],
      );
      expect(n[0].n).toBe('0');

      // The corrected file goes through, line numbers kept.
      const good = [
        'assetQuality,loanReference,outstandingPrincipal,repaid',
        `normal,${a.reference},2900000.00,100000.00`,
        `substandard,"${b.reference}",2500000.5,500000`,
      ].join('\n');
      const ok = await t.http
        .post(`/v1/bank-reports?bankCode=${p.bankCode}&quarter=2025Q1`)
        .set('Authorization', t.auth)
        .set('Content-Type', 'text/csv')
        .send(good)
        .expect(201);
      expect(ok.body).toMatchObject({ source: 'csv', rows: 2, outstandingTotal: '5400000.50', repaidTotal: '600000.00', late: false });
      const rows = await t.http.get(`/v1/bank-reports/${ok.body.id}/rows`).set('Authorization', t.auth).expect(200);
      expect(rows.body.items[1]).toEqual({
        line: 3,
        loanReference: b.reference,
        outstandingPrincipal: '2500000.50',
        repaid: '500000.00',
        assetQuality: 'substandard',
      });
    });

    it('a CSV without the header or the query parameters → 400; a quarter not yet ended → 422', async () => {
      const p = await createParties(t);
      today('2025-04-09');
      const noHeader = await t.http
        .post(`/v1/bank-reports?bankCode=${p.bankCode}&quarter=2025Q1`)
        .set('Authorization', t.auth)
        .set('Content-Type', 'text/csv')
        .send('loanReference,outstanding,repaid,assetQuality\n')
        .expect(400);
      expect(noHeader.body.code).toBe('REPORT.CSV_HEADER');
      const noParams = await t.http
        .post('/v1/bank-reports')
        .set('Authorization', t.auth)
        .set('Content-Type', 'text/csv')
        .send('loanReference,outstandingPrincipal,repaid,assetQuality\n')
        .expect(400);
      expect(noParams.body.code).toBe('REPORT.CSV_PARAMS');
      const open = await t.http
        .post('/v1/bank-reports')
        .set('Authorization', t.auth)
        .send({ bankCode: p.bankCode, quarter: '2025Q2', rows: [] })
        .expect(422);
      expect(open.body.code).toBe('REPORT.QUARTER_NOT_ENDED');
      const badQuarter = await t.http
        .post('/v1/bank-reports')
        .set('Authorization', t.auth)
        .send({ bankCode: p.bankCode, quarter: '2025Q5', rows: [] })
        .expect(400);
      expect(badQuarter.body.details).toEqual([expect.objectContaining({ field: 'quarter' })]);
    });

    it('a bank token reports only for its own bank', async () => {
      const p = await createParties(t);
      const other = await createParties(t);
      const token = await issueToken(t, 'bank', p.bankCode);
      today('2025-04-09');
      await t.http.post('/v1/bank-reports').set('Authorization', token).send({ bankCode: p.bankCode, quarter: '2025Q1', rows: [] }).expect(201);
      const denied = await t.http
        .post('/v1/bank-reports')
        .set('Authorization', token)
        .send({ bankCode: other.bankCode, quarter: '2025Q1', rows: [] })
        .expect(403);
      expect(denied.body.code).toBe('AUTH.PARTY_SCOPE');
    });
  });

  describe('outstanding balances', () => {
    it('per bank, per agency and in total as of a date: disbursed amount before any report, reported balance after', async () => {
      today('2025-05-10'); // registrations dated up to 2025-05-05 have happened (RULES §4, dates 2026-12)
      const p = await createParties(t);
      const a = await disbursedLoan(p, '2025-02-10', '3000000.00', { registeredOn: '2025-02-05', contractDate: '2025-02-01' });
      await disbursedLoan(p, '2025-05-06', '1000000.00', { registeredOn: '2025-05-05', contractDate: '2025-05-01' });
      await registeredLoan(p); // never disbursed: counts nothing

      const at = async (query: string) => (await t.http.get(`/v1/outstanding?${query}`).set('Authorization', t.auth).expect(200)).body;
      const before = await at('asOf=2025-03-31');
      expect(before.banks).toContainEqual({ bankCode: p.bankCode, outstanding: '3000000.00', loans: 1 });

      today('2025-04-05');
      await t.http
        .post('/v1/bank-reports')
        .set('Authorization', t.auth)
        .send({ bankCode: p.bankCode, quarter: '2025Q1', rows: [{ loanReference: a.reference, outstandingPrincipal: '2750000.00', repaid: '250000.00', assetQuality: 'normal' }] })
        .expect(201);
      const q1 = await at('quarter=2025Q1');
      expect(q1.banks).toContainEqual({ bankCode: p.bankCode, outstanding: '2750000.00', loans: 1 });
      expect(q1.agencies).toContainEqual({ agencyCode: p.agencyCode, outstanding: '2750000.00', loans: 1 });
      const q2 = await at('quarter=2025Q2');
      expect(q2.banks).toContainEqual({ bankCode: p.bankCode, outstanding: '3750000.00', loans: 2 });
      // The total is the sum of the banks (other tests share the database).
      const sum = q2.banks.reduce((s: bigint, b: { outstanding: string }) => s + BigInt(b.outstanding.replace('.', '')), 0n);
      expect(BigInt(q2.total.replace('.', ''))).toBe(sum);
      const auditor = await issueToken(t, 'auditor');
      await t.http.get('/v1/outstanding?asOf=2025-06-30').set('Authorization', auditor).expect(200);
      const bank = await issueToken(t, 'bank', p.bankCode);
      await t.http.get('/v1/outstanding?asOf=2025-06-30').set('Authorization', bank).expect(403);
    });
  });
});
