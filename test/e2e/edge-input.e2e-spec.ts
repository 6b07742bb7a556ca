import type { AddressInfo } from 'node:net';
import { rawRequest, RawResponse } from '../support/raw-http';
import { countChanges, tableCounts, tableNames } from '../support/table-counts';
import { ADMIN_TOKEN, startTestApp, TestApp, uniqueCode } from '../support/test-app';
import { openBook } from '../ledger/ledger-fixtures';

/**
 * Issue 10 item 2 (and item 5, sizes): hostile input is refused at the edge with a 4xx and a
 * stable code, before any handler, pipe, class-transformer or database sees it; nothing is
 * written. These inputs answered 500 (NUL → PostgreSQL "invalid byte sequence"; 5,000-deep JSON →
 * stack overflow) or 201 (`__proto__`, a lone surrogate the database silently replaced).
 */
describe('the edge refuses hostile input with a coded 4xx (issue 10 items 2 and 5)', () => {
  let t: TestApp;
  let port: number;
  let tables: string[];
  let book: string;
  let reportBank: string;

  const json = (method: string, path: string, body: string | Buffer, headers: Record<string, string | number> = {}) =>
    rawRequest({ port, method, path, body, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ADMIN_TOKEN}`, ...headers } });
  const codeOf = (r: RawResponse) => (r.json as { code?: string } | null)?.code;
  const detailsOf = (r: RawResponse) => (r.json as { details?: { code: string; field?: string }[] } | null)?.details ?? [];
  const counts = () => tableCounts((sql) => t.dataSource.query(sql), tables);

  /** Sends, expects the status and code, and checks that no table changed. */
  async function refused(send: () => Promise<RawResponse>, status: number, code: string): Promise<RawResponse> {
    const before = await counts();
    const res = await send();
    expect({ status: res.status, code: codeOf(res) }).toEqual({ status, code });
    expect(countChanges(before, await counts())).toEqual([]);
    return res;
  }

  beforeAll(async () => {
    t = await startTestApp({ maxJsonBodyBytes: 1024 * 1024, maxTextBodyBytes: 1024 * 1024 });
    t.app.useLogger(false);
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    // Idempotency keys store refusals by design; no request below sends one.
    tables = await tableNames((sql) => t.dataSource.query(sql), ['migrations']);
    book = await openBook(t);
    // A bank of its own: a bank-report CSV is read as it arrives, after the bank is known.
    reportBank = `EDGE${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
    await t.http.post('/v1/banks').set('Authorization', t.auth).send({ code: reportBank, name: 'Edge bank' }).expect(201);
    tables = await tableNames((sql) => t.dataSource.query(sql), ['migrations']);
  });
  afterAll(async () => {
    await t.close();
  });

  const entry = (memo: string) => `{"book":"${book}","effectiveDate":"2025-01-10","memo":"${memo}","lines":[{"account":"${book}:deposit:BANK01","debit":"1.00"},{"account":"${book}:capital","credit":"1.00"}]}`;

  describe('text that is not valid Unicode or carries control characters', () => {
    it('a NUL in a text field → 400 REQUEST.INVALID_TEXT (was 500 "invalid byte sequence for encoding UTF8: 0x00")', async () => {
      const res = await refused(() => json('POST', '/v1/banks', JSON.stringify({ code: uniqueCode('NB'), name: 'Bank\u0000of NUL' })), 400, 'REQUEST.INVALID_TEXT');
      expect(detailsOf(res)).toEqual([expect.objectContaining({ field: 'name', code: 'NUL_CHARACTER' })]);
      await refused(() => json('POST', '/v1/ledger/entries', entry('a\\u0000b')), 400, 'REQUEST.INVALID_TEXT');
    });

    it('a lone UTF-16 surrogate ("\\ud800") → 400 LONE_SURROGATE (was 201, stored as U+FFFD, breaking the hash chain)', async () => {
      const res = await refused(() => json('POST', '/v1/ledger/entries', entry('\\ud800')), 400, 'REQUEST.INVALID_TEXT');
      expect(detailsOf(res)).toEqual([expect.objectContaining({ field: 'memo', code: 'LONE_SURROGATE' })]);
      await refused(() => json('POST', '/v1/ledger/entries', entry('ok \\udfff then')), 400, 'REQUEST.INVALID_TEXT');
      // A proper pair (an emoji) is fine.
      const ok = await json('POST', '/v1/ledger/entries', entry('paired \\ud83d\\ude00 and 中文'));
      expect(ok.status).toBe(201);
    });

    it('other control characters → 400 CONTROL_CHARACTER; tab and line breaks in free text are accepted', async () => {
      const res = await refused(() => json('POST', '/v1/ledger/entries', entry('bell\\u0007')), 400, 'REQUEST.INVALID_TEXT');
      expect(detailsOf(res)[0].code).toBe('CONTROL_CHARACTER');
      await refused(() => json('POST', '/v1/ledger/entries', entry('c1\\u0085')), 400, 'REQUEST.INVALID_TEXT');
      const ok = await json('POST', '/v1/ledger/entries', entry('line one\\nline two\\tand a tab\\r\\n'));
      expect(ok.status).toBe(201);
    });

    it('bytes that are not UTF-8 → 400 INVALID_UTF8 (not silently replaced)', async () => {
      const body = Buffer.concat([Buffer.from(`{"code":"${uniqueCode('NB')}","name":"`), Buffer.from([0xed, 0xa0, 0x80, 0xff]), Buffer.from('"}')]);
      const res = await refused(() => json('POST', '/v1/banks', body), 400, 'REQUEST.INVALID_TEXT');
      expect(detailsOf(res)[0].code).toBe('INVALID_UTF8');
    });

    it('a NUL or a control character in a path parameter (%00) or a query value → 400, never 500', async () => {
      await refused(() => json('POST', '/v1/claims/%00/payout', '{"paidOn":"2025-10-10"}'), 400, 'REQUEST.INVALID_TEXT');
      await refused(() => json('POST', '/v1/ledger/entries/abc%00def/reverse', '{"effectiveDate":"2025-01-10","memo":"x"}'), 400, 'REQUEST.INVALID_TEXT');
      await refused(() => json('POST', '/v1/ledger/entries/%ED%A0%80/reverse', '{"effectiveDate":"2025-01-10","memo":"x"}'), 400, 'REQUEST.INVALID_TEXT');
      const get = await rawRequest({ port, method: 'GET', path: '/v1/banks/BANK%00X', headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect([get.status, codeOf(get)]).toEqual([400, 'REQUEST.INVALID_TEXT']);
      const query = await rawRequest({ port, method: 'GET', path: `/v1/ledger/verify?book=${book}%00`, headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect([query.status, codeOf(query)]).toEqual([400, 'REQUEST.INVALID_TEXT']);
    });
  });

  describe('shape of JSON bodies', () => {
    it('JSON nested 5,000 deep → 400 REQUEST.TOO_DEEP before any recursive code runs (was 500: stack overflow)', async () => {
      const deep = `{"lines":${'['.repeat(5000)}${']'.repeat(5000)}}`;
      await refused(() => json('POST', '/v1/ledger/entries', deep), 400, 'REQUEST.TOO_DEEP');
      const deepObject = `{"book":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
      await refused(() => json('POST', '/v1/ledger/entries', deepObject, { 'Idempotency-Key': uniqueCode('K') }), 400, 'REQUEST.TOO_DEEP');
      // 64 levels are within the limit: refused by validation (not an entry), not by the depth check.
      const within = `{"memo":${'['.repeat(63)}${']'.repeat(63)}}`;
      const res = await json('POST', '/v1/ledger/entries', within);
      expect([res.status, codeOf(res)]).toEqual([400, 'REQUEST.INVALID']);
    });

    it.each(['__proto__', 'constructor', 'prototype'])('a key "%s" → 400 like any unknown field (was 201)', async (key) => {
      const body = `{"code":"${uniqueCode('PB')}","name":"Proto bank","${key}":{"role":"trustee"}}`;
      const res = await refused(() => json('POST', '/v1/banks', body), 400, 'REQUEST.INVALID');
      expect(detailsOf(res)).toEqual([expect.objectContaining({ field: key, code: 'UNKNOWN_FIELD' })]);
      const nested = entry('x').replace('"debit":"1.00"', `"debit":"1.00","${key}":{}`);
      const res2 = await refused(() => json('POST', '/v1/ledger/entries', nested), 400, 'REQUEST.INVALID');
      expect(detailsOf(res2)).toEqual([expect.objectContaining({ field: `lines.0.${key}`, code: 'UNKNOWN_FIELD' })]);
    });

    it('wide bodies within the size limit: an array at the top or an object of thousands of keys → 400 at once (was 3 GB and a minute)', async () => {
      const started = Date.now();
      const wideArray = await refused(() => json('POST', '/v1/ledger/entries', `[${'{},'.repeat(300_000)}{}]`), 400, 'REQUEST.MALFORMED_JSON');
      expect(wideArray.json).toMatchObject({ message: 'The body must be a JSON object.' });
      const wideObject = `{${Array.from({ length: 50_000 }, (_, i) => `"k${i}":1`).join(',')}}`;
      const res = await refused(() => json('POST', '/v1/ledger/entries', wideObject), 400, 'REQUEST.INVALID');
      expect(detailsOf(res)).toEqual([expect.objectContaining({ field: 'body', code: 'TOO_MANY_MEMBERS' })]);
      expect(Date.now() - started).toBeLessThan(5_000);
      // Thousands of bad rows list at most 100 problems, and say how many there were.
      const lines = Array.from({ length: 5_000 }, () => ({ account: `${book}:capital`, debit: 1 }));
      const many = await refused(() => json('POST', '/v1/ledger/entries', JSON.stringify({ book, effectiveDate: '2025-01-10', memo: 'x', lines })), 400, 'REQUEST.INVALID');
      expect(detailsOf(many)).toHaveLength(100);
      expect((many.json as { message: string }).message).toMatch(/and \d+ more$/);
    });

    it('malformed JSON, a bare scalar, a wrong content type, a foreign charset or compression → 400/415 with a code', async () => {
      await refused(() => json('POST', '/v1/banks', '{"code":'), 400, 'REQUEST.MALFORMED_JSON');
      await refused(() => json('POST', '/v1/banks', '"just a string"'), 400, 'REQUEST.MALFORMED_JSON');
      await refused(() => json('POST', '/v1/banks', 'code=X', { 'Content-Type': 'application/x-www-form-urlencoded' }), 415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE');
      await refused(() => json('POST', '/v1/banks', '{}', { 'Content-Type': 'application/json; charset=utf-16' }), 415, 'REQUEST.UNSUPPORTED_CHARSET');
      await refused(() => json('POST', '/v1/banks', '{}', { 'Content-Encoding': 'gzip' }), 415, 'REQUEST.UNSUPPORTED_ENCODING');
    });
  });

  describe('sizes and the order of checks', () => {
    it('a JSON body above the limit → 413 REQUEST.TOO_LARGE from Content-Length, before it is read', async () => {
      const res = await refused(
        () => rawRequest({ port, method: 'POST', path: '/v1/banks', partial: true, body: '{"code":"', headers: { 'Content-Type': 'application/json', 'Content-Length': 50 * 1024 * 1024, Authorization: `Bearer ${ADMIN_TOKEN}` } }),
        413,
        'REQUEST.TOO_LARGE',
      );
      expect(res.headers.connection).toBe('close');
    });

    it('a chunked body (no Content-Length) that grows past the limit → 413 as soon as it does', async () => {
      const big = `{"code":"X","name":"${'x'.repeat(1024 * 1024 + 10)}"}`;
      await refused(() => json('POST', '/v1/banks', big, { 'Transfer-Encoding': 'chunked' }), 413, 'REQUEST.TOO_LARGE');
      await refused(
        () => rawRequest({ port, method: 'POST', path: `/v1/bank-reports?bankCode=${reportBank}&quarter=2025Q2`, body: `loanReference,outstandingPrincipal,repaid,assetQuality\n${'L1,1.00,0.00,normal\n'.repeat(60_000)}`, headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${ADMIN_TOKEN}` } }),
        413,
        'REQUEST.TOO_LARGE',
      );
    });

    it('the bearer token is checked before the body is read: 50 MB with no or a bad token → 401 at once', async () => {
      for (const authorization of [undefined, 'Bearer not-a-known-token-0000000000']) {
        const res = await refused(
          () =>
            rawRequest({
              port,
              method: 'POST',
              path: '/v1/banks',
              partial: true,
              body: '{"code":"',
              headers: { 'Content-Type': 'application/json', 'Content-Length': 50 * 1024 * 1024, ...(authorization ? { Authorization: authorization } : {}) },
              timeoutMs: 5_000,
            }),
          401,
          'AUTH.UNAUTHENTICATED',
        );
        expect(res.headers.connection).toBe('close');
      }
    });

    it('a CSV body with a NUL → 400 REQUEST.INVALID_TEXT with the line', async () => {
      const res = await refused(
        () => rawRequest({ port, method: 'POST', path: `/v1/bank-reports?bankCode=${reportBank}&quarter=2025Q2`, body: 'loanReference,outstandingPrincipal,repaid,assetQuality\nA\u0000,1.00,0.00,normal\n', headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${ADMIN_TOKEN}` } }),
        400,
        'REQUEST.INVALID_TEXT',
      );
      expect(detailsOf(res)[0]).toMatchObject({ code: 'NUL_CHARACTER', line: 2 });
    });
  });
});
