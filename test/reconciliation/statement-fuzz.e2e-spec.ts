import iconv from 'iconv-lite';
import { createBank } from '../support/factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Issue 14 "Done when": 1,000 malformed statement files → 400 or 422 with a stable code, never a
 * 500, and nothing stored. Seeded (FUZZ_SEED, default 14), so a failure names a reproducible case.
 * Every case starts from a valid statement (checked first, as a dry run) and applies one to three
 * mutations, each of which alone makes the file malformed: a bad date or amount, both or neither
 * of debit and credit, a missing or extra field, a broken running balance, a date outside the
 * period, undecodable bytes, a control character, an open quote, a lost header, a wrong closing
 * balance, bad period parameters; and the JSON and multipart shapes of the same.
 */
const CASES = Number(process.env.FUZZ_CASES ?? 1000);
const SEED = Number(process.env.FUZZ_SEED ?? 14);

function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Row = string[];
const HEADER = ['交易日期', '起息日', '借方发生额', '贷方发生额', '余额', '对方户名', '摘要', '附言'];
const BAD_DATES = ['2025-02-30', '2025-13-01', 'yesterday', '25/10/10', '2025-1-1x', '0000-00-00', '2025–10–10', '١٢٣'];
const BAD_AMOUNTS = ['1.234', 'abc', '1e3', '--5', '1,23', '١٠٠', '12 34', '.', '0x10', 'NaN', 'Infinity', '1234567890123456.00'];

interface Case {
  name: string;
  body: Buffer | object;
  contentType: 'text/csv' | 'application/json' | 'multipart';
  query: string;
}

function baseRows(): Row[] {
  // opening 1,000.00: −100.00, +250.50, −0.50 → closing 1,150.00
  return [
    ['2025-10-02', '2025-10-02', '100.00', '', '900.00', '甲公司', '付款', 'RF0000001D'],
    ['2025-10-09', '2025-10-09', '', '250.50', '1150.50', '乙公司', '收款', ''],
    ['2025-10-20', '2025-10-20', '0.50', '', '1150.00', '', '手续费', ''],
  ];
}

const csvText = (rows: Row[], header: Row = HEADER) => [header, ...rows].map((r) => r.join(',')).join('\r\n');

function mutate(r: () => number, rows: Row[], header: Row, q: Record<string, string>): { name: string; bytes?: Buffer } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const k = Math.floor(r() * rows.length);
  const kind = Math.floor(r() * 14);
  switch (kind) {
    case 0:
      rows[k][0] = pick(BAD_DATES);
      return { name: 'bad date' };
    case 1:
      rows[k][rows[k][2] ? 2 : 3] = pick(BAD_AMOUNTS);
      return { name: 'bad amount' };
    case 2:
      rows[k][2] = rows[k][3] = '5.00';
      return { name: 'debit and credit' };
    case 3:
      rows[k][2] = rows[k][3] = '';
      return { name: 'no amount' };
    case 4:
      rows[k].splice(Math.floor(r() * rows[k].length), 1);
      return { name: 'missing field' };
    case 5:
      rows[k].push('extra');
      return { name: 'extra field' };
    case 6:
      rows[k][4] = `${Number(rows[k][4]) + 1 + Math.floor(r() * 100)}.00`;
      return { name: 'broken balance' };
    case 7:
      rows[k][0] = pick(['2025-09-30', '2025-11-01', '2024-10-10']);
      return { name: 'date outside period' };
    case 8:
      rows[k][6] = `${rows[k][6]}${pick(['\u0000', '\u0007', '\u001b', '\u0085', '\u007f'])}x`;
      return { name: 'control character' };
    case 9:
      rows[k][6] = `"${rows[k][6]}`;
      return { name: 'open quote' };
    case 10:
      header.splice(0, header.length, ...header.map((h) => (h === '交易日期' || h === '借方发生额' ? `${h}X` : h)));
      return { name: 'lost header' };
    case 11:
      q.closingBalance = pick(['1150.01', '0.00', '-1150.00', '999999.99']);
      return { name: 'wrong closing balance' };
    case 12:
      Object.assign(q, pick([{ from: '2025-10-31', to: '2025-10-01' }, { from: '2025-02-30' }, { to: 'soon' }, { openingBalance: '1e3' }, { closingBalance: '1.001' }]));
      return { name: 'bad parameters' };
    default:
      return { name: 'undecodable bytes', bytes: Buffer.from([0xff, 0xfe, 0xff].slice(Math.floor(r() * 2))) };
  }
}

function csvCase(r: () => number, bankCode: string, i: number): Case {
  const rows = baseRows();
  const header = [...HEADER];
  const q: Record<string, string> = { bankCode, from: '2025-10-01', to: '2025-10-31' };
  const names: string[] = [];
  let inject: Buffer | null = null;
  for (let m = 0; m < 1 + Math.floor(r() * 3); m++) {
    const out = mutate(r, rows, header, q);
    names.push(out.name);
    if (out.bytes) inject = out.bytes;
  }
  const encoding = r() < 0.5 ? 'gbk' : 'utf8';
  let bytes = encoding === 'gbk' ? iconv.encode(csvText(rows, header), 'gbk') : Buffer.from(csvText(rows, header), 'utf8');
  if (inject) {
    const at = 10 + Math.floor(r() * (bytes.length - 10));
    bytes = Buffer.concat([bytes.subarray(0, at), inject, bytes.subarray(at)]);
  }
  const multipart = r() < 0.3;
  const query = Object.entries(q)
    .map(([key, v]) => `${key}=${encodeURIComponent(v)}`)
    .join('&');
  return { name: `#${i} ${encoding}${multipart ? ' multipart' : ''}: ${names.join(' + ')}`, body: bytes, contentType: multipart ? 'multipart' : 'text/csv', query };
}

function jsonCase(r: () => number, bankCode: string, i: number): Case {
  const lines: unknown[] = [
    { date: '2025-10-02', amount: '-100.00', reference: 'RF0000001D' },
    { date: '2025-10-09', amount: '250.50' },
    { date: '2025-10-20', amount: '-0.50', memo: '手续费' },
  ];
  const body: Record<string, unknown> = { bankCode, from: '2025-10-01', to: '2025-10-31', openingBalance: '1000.00', closingBalance: '1150.00', lines };
  const k = Math.floor(r() * lines.length);
  const variants: [string, () => void][] = [
    ['amount as a number', () => ((lines[k] as Record<string, unknown>).amount = 12.5)],
    ['bad amount', () => ((lines[k] as Record<string, unknown>).amount = BAD_AMOUNTS[Math.floor(r() * BAD_AMOUNTS.length)])],
    ['bad date', () => ((lines[k] as Record<string, unknown>).date = BAD_DATES[Math.floor(r() * BAD_DATES.length)])],
    ['line not an object', () => (lines[k] = [1, 2])],
    ['unknown line field', () => ((lines[k] as Record<string, unknown>).colour = 'red')],
    ['unknown field', () => (body.extra = true)],
    ['lines not an array', () => (body.lines = { a: 1 })],
    ['no lines', () => (body.lines = [])],
    ['unbalanced', () => (body.closingBalance = '1150.10')],
    ['memo not text', () => ((lines[k] as Record<string, unknown>).memo = { x: 1 })],
    ['bad bankCode', () => (body.bankCode = 'a b')],
    ['zero amount', () => ((lines[k] as Record<string, unknown>).amount = '0.00')],
  ];
  const [name, apply] = variants[Math.floor(r() * variants.length)];
  apply();
  return { name: `#${i} json: ${name}`, body, contentType: 'application/json', query: '' };
}

describe('statement fuzz: malformed files are refused with a stable code, nothing stored (issue 14)', () => {
  let t: TestApp;
  let bankCode: string;

  beforeAll(async () => {
    t = await startTestApp();
    bankCode = await createBank(t, 'FZ');
    await t.http.post('/v1/reserve/funding').set('Authorization', t.auth).send({ bankCode, amount: '1000.00', fundedOn: '2025-01-15', reference: `F-${bankCode}` }).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const send = (c: Case) => {
    const req = t.http.post(`/v1/reconciliations${c.query ? `?${c.query}` : ''}`).set('Authorization', t.auth);
    if (c.contentType === 'multipart') return req.attach('file', c.body as Buffer, { filename: 'statement.csv', contentType: 'text/csv' });
    if (c.contentType === 'text/csv') return req.set('Content-Type', 'text/csv').send(c.body as Buffer);
    return req.send(c.body as object);
  };
  const counts = async () => {
    const [row] = await t.dataSource.query(`SELECT (SELECT count(*) FROM reconciliations)::int AS recs, (SELECT count(*) FROM reconciliation_statement_lines)::int AS lines`);
    return row as { recs: number; lines: number };
  };

  it('the unmutated statement is valid (dry run: 201, nothing stored)', async () => {
    const ok = await t.http
      .post(`/v1/reconciliations?bankCode=${bankCode}&from=2025-10-01&to=2025-10-31&dryRun=true`)
      .set('Authorization', t.auth)
      .set('Content-Type', 'text/csv')
      .send(iconv.encode(csvText(baseRows()), 'gbk'))
      .expect(201);
    expect(ok.body).toMatchObject({ openingBalance: '1000.00', closingBalance: '1150.00', lineCount: 3 });
  });

  it(`${CASES} malformed statements (seed ${SEED}) → 400/422 with a stable code; never 500; nothing stored`, async () => {
    const before = await counts();
    const r = rng(SEED);
    const failures: string[] = [];
    const codes = new Map<string, number>();
    for (let i = 0; i < CASES; i++) {
      const c = r() < 0.8 ? csvCase(r, bankCode, i) : jsonCase(r, bankCode, i);
      const res = await send(c);
      const code = String(res.body?.code ?? '');
      codes.set(`${res.status} ${code}`, (codes.get(`${res.status} ${code}`) ?? 0) + 1);
      if (![400, 422].includes(res.status) || !/^(STATEMENT|REQUEST)\.[A-Z_]+$/.test(code)) failures.push(`${c.name} → ${res.status} ${code} ${String(res.body?.message).slice(0, 160)}`);
    }
    expect(failures).toEqual([]);
    expect(await counts()).toEqual(before);
    // Every family of refusal was reached.
    expect([...codes.keys()].map((k) => k.split(' ')[1])).toEqual(expect.arrayContaining(['STATEMENT.INVALID_LINES', 'STATEMENT.UNREADABLE', 'STATEMENT.HEADER', 'STATEMENT.UNBALANCED', 'STATEMENT.INVALID_PARAMS']));
  });
});
