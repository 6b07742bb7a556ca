import { GENESIS_HASH } from '../../src/ledger/domain/canonical';
import { startTestApp, TestApp, uniqueCode } from '../support/test-app';
import { balanceOf, counts, entry, expectTrialBalanceBalanced, openBook, post, uniqueBook } from './ledger-fixtures';

describe('ledger over HTTP (issue #4)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('books and accounts', () => {
    it('opens accounts idempotently; the same code with another definition → 409 LEDGER.ACCOUNT_CONFLICT', async () => {
      const book = await openBook(t);
      const again = await t.http
        .post('/v1/ledger/accounts')
        .set('Authorization', t.auth)
        .send({ book, code: `${book}:deposit:BANK01`, name: 'Deposit BANK01', type: 'asset', floor: '0.00' })
        .expect(201);
      expect(again.body).toMatchObject({ code: `${book}:deposit:BANK01`, type: 'asset', normalSide: 'debit', floor: '0.00', created: false });
      const clash = await t.http
        .post('/v1/ledger/accounts')
        .set('Authorization', t.auth)
        .send({ book, code: `${book}:deposit:BANK01`, name: 'Deposit BANK01', type: 'asset', floor: '100.00' })
        .expect(409);
      expect(clash.body.code).toBe('LEDGER.ACCOUNT_CONFLICT');
      expect(clash.body.details).toEqual([expect.objectContaining({ field: 'floor', existing: '0.00' })]);
    });

    it('an account code must start with its book; an unknown book → 404 LEDGER.UNKNOWN_BOOK', async () => {
      const book = await openBook(t);
      const bad = await t.http
        .post('/v1/ledger/accounts')
        .set('Authorization', t.auth)
        .send({ book, code: 'other:deposit:BANK01', name: 'x', type: 'asset' })
        .expect(400);
      expect(bad.body.code).toBe('LEDGER.INVALID_ACCOUNT_CODE');
      const unknown = await t.http
        .post('/v1/ledger/accounts')
        .set('Authorization', t.auth)
        .send({ book: 'nosuchbook', code: 'nosuchbook:cash', name: 'x', type: 'asset' })
        .expect(404);
      expect(unknown.body.code).toBe('LEDGER.UNKNOWN_BOOK');
    });

    it('the reserve and margin books exist from the start', async () => {
      const reserve = await t.http.get('/v1/ledger/books/reserve').set('Authorization', t.auth).expect(200);
      expect(reserve.body.code).toBe('reserve');
      await t.http.get('/v1/ledger/books/margin').set('Authorization', t.auth).expect(200);
    });
  });

  describe('posting', () => {
    it('posts a balanced entry: 201 with sequence 1, a hash chained to the genesis hash, and exact balances', async () => {
      const book = await openBook(t);
      const res = await post(
        t,
        entry(book, '2025-01-10', [
          { account: 'deposit:BANK01', debit: '320000000.00' },
          { account: 'capital', credit: '320000000.00' },
        ]),
      );
      expect(res.body).toMatchObject({ book, sequence: 1, prevHash: GENESIS_HASH, effectiveDate: '2025-01-10', reversalOf: null });
      expect(res.body.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(res.body.lines).toEqual([
        { lineNo: 1, account: `${book}:deposit:BANK01`, debit: '320000000.00', credit: null },
        { lineNo: 2, account: `${book}:capital`, debit: null, credit: '320000000.00' },
      ]);
      expect(await balanceOf(t, book, 'deposit:BANK01')).toMatchObject({ debit: '320000000.00', credit: '0.00', balance: '320000000.00' });
      expect(await balanceOf(t, book, 'capital')).toMatchObject({ debit: '0.00', credit: '320000000.00', balance: '320000000.00' });
      const fetched = await t.http.get(`/v1/ledger/entries/${res.body.id}`).set('Authorization', t.auth).expect(200);
      expect(fetched.body).toEqual(res.body);

      const second = await post(
        t,
        entry(book, '2025-01-11', [
          { account: 'deposit:BANK02', debit: '0.01' },
          { account: 'deposit:BANK01', credit: '0.01' },
        ]),
      );
      expect(second.body.sequence).toBe(2);
      expect(second.body.prevHash).toBe(res.body.hash);
      expect(await balanceOf(t, book, 'deposit:BANK01')).toMatchObject({ balance: '319999999.99' });
    });

    it('unbalanced → 422 LEDGER.UNBALANCED with the totals, and nothing is written', async () => {
      const book = await openBook(t);
      await post(t, entry(book, '2025-01-10', [{ account: 'deposit:BANK01', debit: '100.00' }, { account: 'capital', credit: '100.00' }]));
      const before = await counts(t, book);
      const res = await post(
        t,
        entry(book, '2025-01-11', [
          { account: 'deposit:BANK01', debit: '100.00' },
          { account: 'capital', credit: '99.99' },
        ]),
        422,
      );
      expect(res.body.code).toBe('LEDGER.UNBALANCED');
      expect(res.body.details).toEqual([expect.objectContaining({ code: 'LEDGER.UNBALANCED', debits: '100.00', credits: '99.99', difference: '0.01' })]);
      expect(await counts(t, book)).toEqual(before);
      expect(await balanceOf(t, book, 'deposit:BANK01')).toMatchObject({ balance: '100.00' });
      await expectTrialBalanceBalanced(t, book);
    });

    it('a line with both sides, with neither, or of zero → 422 naming each line; nothing written', async () => {
      const book = await openBook(t);
      const res = await post(
        t,
        {
          book,
          effectiveDate: '2025-01-10',
          memo: 'bad lines',
          lines: [
            { account: `${book}:deposit:BANK01`, debit: '10.00', credit: '10.00' },
            { account: `${book}:capital` },
            { account: `${book}:capital`, credit: '0.00' },
          ],
        },
        422,
      );
      expect(res.body.code).toBe('LEDGER.LINE_BOTH_SIDES');
      expect(res.body.details.map((d: { code: string; field: string }) => [d.code, d.field])).toEqual([
        ['LEDGER.LINE_BOTH_SIDES', 'lines.0'],
        ['LEDGER.LINE_NO_SIDE', 'lines.1'],
        ['LEDGER.ZERO_LINE', 'lines.2'],
      ]);
      const zero = await post(
        t,
        entry(book, '2025-01-10', [
          { account: 'deposit:BANK01', debit: '0.00' },
          { account: 'capital', credit: '0.00' },
        ]),
        422,
      );
      expect(zero.body.code).toBe('LEDGER.ZERO_LINE');
      expect(await counts(t, book)).toEqual({ entries: 0, lines: 0, sequence: 0 });
    });

    it('an unknown account → 422 LEDGER.UNKNOWN_ACCOUNT; an unknown book → 404; a money number → 400', async () => {
      const book = await openBook(t);
      const res = await post(
        t,
        entry(book, '2025-01-10', [
          { account: 'deposit:NOBANK', debit: '1.00' },
          { account: 'capital', credit: '1.00' },
        ]),
        422,
      );
      expect(res.body.code).toBe('LEDGER.UNKNOWN_ACCOUNT');
      expect(res.body.details).toEqual([expect.objectContaining({ account: `${book}:deposit:NOBANK` })]);
      const noBook = await post(t, { book: 'nosuchbook', effectiveDate: '2025-01-10', memo: 'x', lines: [{ account: 'nosuchbook:a:b', debit: '1.00' }, { account: 'nosuchbook:c', credit: '1.00' }] }, 404);
      expect(noBook.body.code).toBe('LEDGER.UNKNOWN_BOOK');
      const number = await post(t, { book, effectiveDate: '2025-01-10', memo: 'x', lines: [{ account: `${book}:capital`, debit: 1 }, { account: `${book}:deposit:BANK01`, credit: '1.00' }] }, 400);
      expect(number.body.code).toBe('REQUEST.INVALID');
      expect(await counts(t, book)).toEqual({ entries: 0, lines: 0, sequence: 0 });
    });

    it('a floor breach → 422 LEDGER.FLOOR_BREACH naming the account, its balance and the floor', async () => {
      const book = await openBook(t);
      await post(t, entry(book, '2025-01-10', [{ account: 'deposit:BANK01', debit: '1000.00' }, { account: 'capital', credit: '1000.00' }]));
      const res = await post(
        t,
        entry(book, '2025-02-01', [
          { account: 'payable:BANK01', debit: '1000.01' },
          { account: 'deposit:BANK01', credit: '1000.01' },
        ]),
        422,
      );
      expect(res.body.code).toBe('LEDGER.FLOOR_BREACH');
      expect(res.body.details).toEqual([
        expect.objectContaining({ account: `${book}:deposit:BANK01`, balance: '1000.00', change: '-1000.01', wouldBe: '-0.01', floor: '0.00' }),
      ]);
      // Exactly down to the floor is allowed.
      await post(t, entry(book, '2025-02-01', [{ account: 'payable:BANK01', debit: '1000.00' }, { account: 'deposit:BANK01', credit: '1000.00' }]));
      expect(await balanceOf(t, book, 'deposit:BANK01')).toMatchObject({ balance: '0.00', debit: '1000.00', credit: '1000.00' });
      expect(await balanceOf(t, book, 'payable:BANK01')).toMatchObject({ balance: '-1000.00' });
      await expectTrialBalanceBalanced(t, book);
    });

    it('200 concurrent debits of 10.00 against 1,000.00 with floor 0 → exactly 100 succeed, balance 0.00', async () => {
      const book = await openBook(t);
      await post(t, entry(book, '2025-01-10', [{ account: 'deposit:BANK01', debit: '1000.00' }, { account: 'capital', credit: '1000.00' }]));
      const attempts = Array.from({ length: 200 }, (_, i) =>
        t.http
          .post('/v1/ledger/entries')
          .set('Authorization', t.auth)
          .send(entry(book, '2025-02-01', [{ account: 'payable:BANK01', debit: '10.00' }, { account: 'deposit:BANK01', credit: '10.00' }], `payout ${i}`)),
      );
      const results = await Promise.all(attempts);
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(100);
      expect(statuses.filter((s) => s === 422)).toHaveLength(100);
      expect(new Set(results.filter((r) => r.status === 422).map((r) => r.body.code))).toEqual(new Set(['LEDGER.FLOOR_BREACH']));
      expect(await balanceOf(t, book, 'deposit:BANK01')).toMatchObject({ balance: '0.00', credit: '1000.00' });
      expect(await counts(t, book)).toEqual({ entries: 101, lines: 202, sequence: 101 });
      const sequences = results.filter((r) => r.status === 201).map((r) => r.body.sequence as number).sort((a, b) => a - b);
      expect(sequences).toEqual(Array.from({ length: 100 }, (_, i) => i + 2));
      const verify = await t.http.get('/v1/ledger/verify').query({ book }).set('Authorization', t.auth).expect(200);
      expect(verify.body).toMatchObject({ ok: true, entries: 101, firstBroken: null });
      await expectTrialBalanceBalanced(t, book);
    });
  });

  describe('batch', () => {
    it('posts many entries in order, all or nothing: one refusal names its entry and nothing is written', async () => {
      const book = await openBook(t);
      const good = entry(book, '2025-01-10', [{ account: 'deposit:BANK01', debit: '50.00' }, { account: 'capital', credit: '50.00' }]);
      const spend = entry(book, '2025-01-11', [{ account: 'payable:BANK01', debit: '60.00' }, { account: 'deposit:BANK01', credit: '60.00' }]);
      const refused = await t.http.post('/v1/ledger/entries/batch').set('Authorization', t.auth).send({ entries: [good, spend] }).expect(422);
      expect(refused.body.code).toBe('LEDGER.FLOOR_BREACH');
      expect(refused.body.details[0]).toMatchObject({ entry: 1, balance: '50.00', floor: '0.00' });
      expect(await counts(t, book)).toEqual({ entries: 0, lines: 0, sequence: 0 });

      const ok = await t.http
        .post('/v1/ledger/entries/batch')
        .set('Authorization', t.auth)
        .send({ entries: [good, good, spend] })
        .expect(201);
      expect(ok.body.entries.map((e: { sequence: number }) => e.sequence)).toEqual([1, 2, 3]);
      expect(ok.body.entries[1].prevHash).toBe(ok.body.entries[0].hash);
      expect(await balanceOf(t, book, 'deposit:BANK01')).toMatchObject({ balance: '40.00' });
    });
  });

  describe('reversals and period close', () => {
    it('reverses with a linked mirror entry; a second reversal → 409; an unknown entry → 404', async () => {
      const book = await openBook(t);
      const original = await post(t, entry(book, '2025-01-10', [{ account: 'deposit:BANK01', debit: '500.00' }, { account: 'capital', credit: '500.00' }]));
      const reversal = await t.http
        .post(`/v1/ledger/entries/${original.body.id}/reverse`)
        .set('Authorization', t.auth)
        .send({ effectiveDate: '2025-01-12', memo: 'wrong bank' })
        .expect(201);
      expect(reversal.body).toMatchObject({ reversalOf: original.body.id, sequence: 2, effectiveDate: '2025-01-12' });
      expect(reversal.body.lines).toEqual([
        { lineNo: 1, account: `${book}:deposit:BANK01`, debit: null, credit: '500.00' },
        { lineNo: 2, account: `${book}:capital`, debit: '500.00', credit: null },
      ]);
      expect(await balanceOf(t, book, 'deposit:BANK01')).toMatchObject({ balance: '0.00', debit: '500.00', credit: '500.00' });
      expect(await balanceOf(t, book, 'deposit:BANK01', '2025-01-11')).toMatchObject({ balance: '500.00' });
      const again = await t.http
        .post(`/v1/ledger/entries/${original.body.id}/reverse`)
        .set('Authorization', t.auth)
        .send({ effectiveDate: '2025-01-12', memo: 'again' })
        .expect(409);
      expect(again.body.code).toBe('LEDGER.ALREADY_REVERSED');
      const missing = await t.http
        .post('/v1/ledger/entries/00000000-0000-4000-8000-000000000000/reverse')
        .set('Authorization', t.auth)
        .send({ effectiveDate: '2025-01-12', memo: 'x' })
        .expect(404);
      expect(missing.body.code).toBe('LEDGER.ENTRY_NOT_FOUND');
      await expectTrialBalanceBalanced(t, book);
    });

    it('a reversal that would break a floor → 422 (the money was already spent)', async () => {
      const book = await openBook(t);
      await post(t, entry(book, '2025-01-10', [{ account: 'deposit:BANK01', debit: '100.00' }, { account: 'capital', credit: '100.00' }]));
      const deposit = await post(t, entry(book, '2025-01-11', [{ account: 'deposit:BANK02', debit: '70.00' }, { account: 'capital', credit: '70.00' }]));
      await post(t, entry(book, '2025-01-12', [{ account: 'payable:BANK01', debit: '70.00' }, { account: 'deposit:BANK02', credit: '70.00' }]));
      const res = await t.http.post(`/v1/ledger/entries/${deposit.body.id}/reverse`).set('Authorization', t.auth).send({ effectiveDate: '2025-01-13', memo: 'x' }).expect(422);
      expect(res.body.code).toBe('LEDGER.FLOOR_BREACH');
    });

    it('closing 2025Q1 rejects entries dated in or before it (409) and accepts later ones; closing twice returns the first close', async () => {
      const book = await openBook(t);
      const first = await post(t, entry(book, '2025-03-31', [{ account: 'deposit:BANK01', debit: '10.00' }, { account: 'capital', credit: '10.00' }]));
      const close = await t.http.post('/v1/ledger/periods/2025Q1/close').set('Authorization', t.auth).send({ book }).expect(201);
      expect(close.body).toMatchObject({ book, quarter: '2025Q1', closedThrough: '2025-03-31', lastSequence: 1, headHash: first.body.hash, created: true });
      for (const date of ['2025-03-31', '2024-12-31']) {
        const refused = await post(t, entry(book, date, [{ account: 'deposit:BANK01', debit: '1.00' }, { account: 'capital', credit: '1.00' }]), 409);
        expect(refused.body.code).toBe('LEDGER.CLOSED_PERIOD');
      }
      const reversal = await t.http.post(`/v1/ledger/entries/${first.body.id}/reverse`).set('Authorization', t.auth).send({ effectiveDate: '2025-03-30', memo: 'x' }).expect(409);
      expect(reversal.body.code).toBe('LEDGER.CLOSED_PERIOD');
      const later = await post(t, entry(book, '2025-04-01', [{ account: 'deposit:BANK01', debit: '1.00' }, { account: 'capital', credit: '1.00' }]));
      expect(later.body.sequence).toBe(2);
      const again = await t.http.post('/v1/ledger/periods/2025Q1/close').set('Authorization', t.auth).send({ book }).expect(201);
      expect(again.body).toMatchObject({ closedAt: close.body.closedAt, lastSequence: 1, created: false });
      const bad = await t.http.post('/v1/ledger/periods/2025Q5/close').set('Authorization', t.auth).send({ book }).expect(400);
      expect(bad.body.code).toBe('QUARTER.INVALID');
      const book2 = await t.http.get(`/v1/ledger/books/${book}`).set('Authorization', t.auth).expect(200);
      expect(book2.body.closedThrough).toBe('2025-03-31');
    });
  });

  describe('balances, statements, trial balance, entries', () => {
    it('balances as of a date, a statement with opening, running and closing balances, and a trial balance that adds up', async () => {
      const book = await openBook(t);
      await post(t, entry(book, '2025-01-10', [{ account: 'deposit:BANK01', debit: '1000.00' }, { account: 'capital', credit: '1000.00' }], 'funding'));
      await post(t, entry(book, '2025-02-10', [{ account: 'payable:BANK01', debit: '300.00' }, { account: 'deposit:BANK01', credit: '300.00' }], 'payout'));
      await post(t, entry(book, '2025-03-10', [{ account: 'expense:custody-fee', debit: '0.70' }, { account: 'deposit:BANK01', credit: '0.70' }], 'fee'));
      // Posted last but dated first: as-of balances follow the business date.
      await post(t, entry(book, '2025-01-05', [{ account: 'deposit:BANK01', debit: '5.00' }, { account: 'capital', credit: '5.00' }], 'late'));

      expect(await balanceOf(t, book, 'deposit:BANK01', '2025-01-04')).toMatchObject({ debit: '0.00', credit: '0.00', balance: '0.00' });
      expect(await balanceOf(t, book, 'deposit:BANK01', '2025-01-31')).toMatchObject({ debit: '1005.00', credit: '0.00', balance: '1005.00' });
      expect(await balanceOf(t, book, 'deposit:BANK01', '2025-02-10')).toMatchObject({ balance: '705.00' });
      expect(await balanceOf(t, book, 'deposit:BANK01')).toMatchObject({ debit: '1005.00', credit: '300.70', balance: '704.30' });

      const st = await t.http
        .get(`/v1/ledger/accounts/${book}:deposit:BANK01/statement`)
        .query({ from: '2025-02-01', to: '2025-03-31' })
        .set('Authorization', t.auth)
        .expect(200);
      expect(st.body.opening).toEqual({ debit: '1005.00', credit: '0.00', balance: '1005.00' });
      expect(st.body.lines.map((l: { memo: string; credit: string; balance: string }) => [l.memo, l.credit, l.balance])).toEqual([
        ['payout', '300.00', '705.00'],
        ['fee', '0.70', '704.30'],
      ]);
      expect(st.body.closing).toEqual({ debit: '1005.00', credit: '300.70', balance: '704.30' });

      const page1 = await t.http.get(`/v1/ledger/accounts/${book}:deposit:BANK01/statement`).query({ limit: 2 }).set('Authorization', t.auth).expect(200);
      expect(page1.body.lines.map((l: { balance: string }) => l.balance)).toEqual(['5.00', '1005.00']);
      const page2 = await t.http
        .get(`/v1/ledger/accounts/${book}:deposit:BANK01/statement`)
        .query({ limit: 2, cursor: page1.body.nextCursor })
        .set('Authorization', t.auth)
        .expect(200);
      expect(page2.body.lines.map((l: { balance: string }) => l.balance)).toEqual(['705.00', '704.30']);
      expect(page2.body.nextCursor).toBeNull();

      const tb = await expectTrialBalanceBalanced(t, book);
      expect(tb.totals).toMatchObject({ debit: '1005.00', credit: '1005.00', totalDebits: '1305.70', totalCredits: '1305.70' });
      const byAccount = Object.fromEntries(tb.rows.map((r: { account: string; debit: string; credit: string; balance: string }) => [r.account, [r.debit, r.credit, r.balance]]));
      expect(byAccount).toEqual({
        [`${book}:capital`]: ['0.00', '1005.00', '1005.00'],
        [`${book}:deposit:BANK01`]: ['704.30', '0.00', '704.30'],
        [`${book}:deposit:BANK02`]: ['0.00', '0.00', '0.00'],
        [`${book}:expense:custody-fee`]: ['0.70', '0.00', '0.70'],
        [`${book}:payable:BANK01`]: ['300.00', '0.00', '-300.00'],
      });
      const tbJan = await expectTrialBalanceBalanced(t, book, '2025-01-31');
      expect(tbJan.totals).toMatchObject({ debit: '1005.00', credit: '1005.00' });

      const entries = await t.http.get('/v1/ledger/entries').query({ book, limit: 3 }).set('Authorization', t.auth).expect(200);
      expect(entries.body.items.map((e: { sequence: number }) => e.sequence)).toEqual([1, 2, 3]);
      const rest = await t.http.get('/v1/ledger/entries').query({ book, limit: 3, cursor: entries.body.nextCursor }).set('Authorization', t.auth).expect(200);
      expect(rest.body.items.map((e: { memo: string }) => e.memo)).toEqual(['late']);
      const feb = await t.http.get('/v1/ledger/entries').query({ book, from: '2025-02-01', to: '2025-02-28' }).set('Authorization', t.auth).expect(200);
      expect(feb.body.items.map((e: { memo: string }) => e.memo)).toEqual(['payout']);
    });
  });

  describe('roles', () => {
    it('an auditor reads but cannot post; a bank can do neither', async () => {
      const book = await openBook(t);
      const auditor = await t.http.post('/v1/tokens').set('Authorization', t.auth).send({ role: 'auditor' }).expect(201);
      const bankCode = uniqueCode('BANK');
      await t.http.post('/v1/banks').set('Authorization', t.auth).send({ code: bankCode, name: 'Bank' }).expect(201);
      const bank = await t.http.post('/v1/tokens').set('Authorization', t.auth).send({ role: 'bank', partyCode: bankCode }).expect(201);
      const a = `Bearer ${auditor.body.token}`;
      await t.http.get('/v1/ledger/trial-balance').query({ book }).set('Authorization', a).expect(200);
      await t.http.get('/v1/ledger/verify').query({ book }).set('Authorization', a).expect(200);
      const denied = await t.http
        .post('/v1/ledger/entries')
        .set('Authorization', a)
        .send(entry(book, '2025-01-10', [{ account: 'deposit:BANK01', debit: '1.00' }, { account: 'capital', credit: '1.00' }]))
        .expect(403);
      expect(denied.body.code).toBe('AUTH.FORBIDDEN');
      await t.http.get('/v1/ledger/trial-balance').query({ book }).set('Authorization', `Bearer ${bank.body.token}`).expect(403);
      const custodian = await t.http.post('/v1/tokens').set('Authorization', t.auth).send({ role: 'custodian' }).expect(201);
      await t.http
        .post('/v1/ledger/entries')
        .set('Authorization', `Bearer ${custodian.body.token}`)
        .send(entry(book, '2025-01-10', [{ account: 'deposit:BANK01', debit: '1.00' }, { account: 'capital', credit: '1.00' }]))
        .expect(201);
    });
  });

  describe('idempotency', () => {
    it('same key and body → the first answer; same key, other body → 409 IDEMPOTENCY.KEY_REUSED', async () => {
      const book = await openBook(t);
      const body = entry(book, '2025-01-10', [{ account: 'deposit:BANK01', debit: '10.00' }, { account: 'capital', credit: '10.00' }]);
      const key = `k-${book}`;
      const first = await t.http.post('/v1/ledger/entries').set('Authorization', t.auth).set('Idempotency-Key', key).send(body).expect(201);
      const second = await t.http.post('/v1/ledger/entries').set('Authorization', t.auth).set('Idempotency-Key', key).send(body).expect(201);
      expect(second.body).toEqual(first.body);
      expect(second.headers['idempotent-replayed']).toBe('true');
      const other = await t.http
        .post('/v1/ledger/entries')
        .set('Authorization', t.auth)
        .set('Idempotency-Key', key)
        .send({ ...body, memo: 'changed' })
        .expect(409);
      expect(other.body.code).toBe('IDEMPOTENCY.KEY_REUSED');
      expect(await counts(t, book)).toMatchObject({ entries: 1 });
    });

    it('a refusal is the first answer too: the same key replays the same 422', async () => {
      const book = await openBook(t);
      const body = entry(book, '2025-01-10', [{ account: 'deposit:BANK01', credit: '10.00' }, { account: 'capital', debit: '10.00' }]);
      const first = await t.http.post('/v1/ledger/entries').set('Authorization', t.auth).set('Idempotency-Key', `r-${book}`).send(body).expect(422);
      // Funding the account would make the entry pass, but the key answers as it first did.
      await post(t, entry(book, '2025-01-09', [{ account: 'deposit:BANK01', debit: '10.00' }, { account: 'capital', credit: '10.00' }]));
      const again = await t.http.post('/v1/ledger/entries').set('Authorization', t.auth).set('Idempotency-Key', `r-${book}`).send(body).expect(422);
      expect(again.body).toEqual(first.body);
      expect(first.body.code).toBe('LEDGER.FLOOR_BREACH');
    });

    it('50 parallel posts with one Idempotency-Key → one entry, fifty identical answers', async () => {
      const book = await openBook(t);
      const body = entry(book, '2025-01-10', [{ account: 'deposit:BANK01', debit: '10.00' }, { account: 'capital', credit: '10.00' }]);
      const key = `p-${book}`;
      const results = await Promise.all(
        Array.from({ length: 50 }, () => t.http.post('/v1/ledger/entries').set('Authorization', t.auth).set('Idempotency-Key', key).send(body)),
      );
      expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(await counts(t, book)).toEqual({ entries: 1, lines: 2, sequence: 1 });
      expect(await balanceOf(t, book, 'deposit:BANK01')).toMatchObject({ balance: '10.00' });
    });

    it('keys are scoped per token: another token with the same key posts its own entry', async () => {
      const book = await openBook(t);
      const custodian = await t.http.post('/v1/tokens').set('Authorization', t.auth).send({ role: 'custodian' }).expect(201);
      const body = entry(book, '2025-01-10', [{ account: 'deposit:BANK01', debit: '10.00' }, { account: 'capital', credit: '10.00' }]);
      const a = await t.http.post('/v1/ledger/entries').set('Authorization', t.auth).set('Idempotency-Key', `s-${book}`).send(body).expect(201);
      const b = await t.http.post('/v1/ledger/entries').set('Authorization', `Bearer ${custodian.body.token}`).set('Idempotency-Key', `s-${book}`).send(body).expect(201);
      expect(b.body.id).not.toBe(a.body.id);
      expect(await counts(t, book)).toMatchObject({ entries: 2 });
    });
  });

  describe('OpenAPI', () => {
    it('documents the ledger endpoints under the Ledger tag', async () => {
      const doc = await t.http.get('/docs-json').expect(200);
      const paths = Object.keys(doc.body.paths);
      for (const p of [
        '/v1/ledger/accounts',
        '/v1/ledger/entries',
        '/v1/ledger/entries/batch',
        '/v1/ledger/entries/{id}/reverse',
        '/v1/ledger/accounts/{code}/balance',
        '/v1/ledger/accounts/{code}/statement',
        '/v1/ledger/periods/{quarter}/close',
        '/v1/ledger/trial-balance',
        '/v1/ledger/export',
        '/v1/ledger/verify',
      ]) {
        expect(paths).toContain(p);
      }
      expect(doc.body.paths['/v1/ledger/entries'].post.tags).toEqual(['Ledger']);
    });
  });

  it('uniqueBook gives lower-case codes the API accepts', () => {
    expect(uniqueBook()).toMatch(/^[a-z][a-z0-9]+$/);
  });
});
