import { createHash } from 'node:crypto';
import type { ServiceProcess } from './service';
import { disbursedLoan, ok, recommendedClaim } from './world';

/** The quarter the quarter-close fault tests close: ended, every duty's day passed (today ≥ 2026-10-27). */
export const FAULT_QUARTER = '2026Q3';

export interface QuarterWorld {
  banks: string[];
  agencies: string[];
}

/**
 * A small programme whose 2026Q3 close does real work in every duty: two banks and two agencies,
 * a claim approved in the quarter (bank A's loss rate above 6%), deposit interest and margins, a
 * bank report. Fixed codes: the databases copied from one template must read the same.
 */
export async function seedQuarterWorld(s: ServiceProcess): Promise<QuarterWorld> {
  const banks = ['QKBANKA', 'QKBANKB'];
  const agencies = ['QKAGA', 'QKAGB'];
  for (const b of banks) await ok(s.request('POST', '/v1/banks', { body: { code: b, name: `Bank ${b}`, joinedOn: '2021-01-01' } }), 'bank');
  await ok(s.request('POST', '/v1/agencies', { body: { code: agencies[0], name: 'Agency A', feeRate: '0.01', joinedOn: '2020-01-01' } }), 'agency');
  await ok(s.request('POST', '/v1/agencies', { body: { code: agencies[1], name: 'Agency B', feeRate: '0.008', joinedOn: '2025-01-01' } }), 'agency');
  await ok(s.request('POST', '/v1/agreements', { body: { bankCode: banks[0], agencyCode: agencies[0], signedOn: '2021-01-01' } }), 'agreement');
  await ok(s.request('POST', '/v1/agreements', { body: { bankCode: banks[1], agencyCode: agencies[1], signedOn: '2021-01-01' } }), 'agreement');
  for (const b of ['QKBORROWERA', 'QKBORROWERB']) {
    await ok(s.request('POST', '/v1/borrowers', { body: { code: b, name: b, highTech: true, techSme: false, revenues: [{ year: 2023, amount: '18000000.00' }] } }), 'borrower');
  }
  const claimLoan = await disbursedLoan(s, banks[0], agencies[0], 'QKBORROWERA', '3000000.00');
  await disbursedLoan(s, banks[0], agencies[0], 'QKBORROWERA', '20000000.00');
  await disbursedLoan(s, banks[1], agencies[1], 'QKBORROWERB', '12000000.00');
  await disbursedLoan(s, banks[1], agencies[1], 'QKBORROWERB', '8000000.00');
  const claim = await recommendedClaim(s, claimLoan);
  await ok(s.request('POST', `/v1/agencies/${agencies[0]}/margin/deposits`, { body: { amount: '2000000.00', depositedOn: '2026-07-01' } }), 'margin');
  await ok(s.request('POST', `/v1/agencies/${agencies[1]}/margin/deposits`, { body: { amount: '10000.00', depositedOn: '2026-07-01' } }), 'margin');
  await ok(s.request('POST', '/v1/approval-batches', { body: { claimIds: [claim], approvedOn: '2026-08-20' } }), 'batch');
  await ok(s.request('POST', '/v1/reserve/funding', { body: { bankCode: banks[0], amount: '150000000.00', fundedOn: '2026-07-10', reference: 'QK-F-A' } }), 'funding');
  await ok(s.request('POST', '/v1/reserve/funding', { body: { bankCode: banks[1], amount: '170000000.00', fundedOn: '2026-07-10', reference: 'QK-F-B' } }), 'funding');
  await ok(s.request('POST', '/v1/reserve/interest', { body: { bankCode: banks[0], amount: '400000.00', creditedOn: '2026-09-21' } }), 'interest');
  await ok(s.request('POST', '/v1/reserve/interest', { body: { bankCode: banks[1], amount: '520000.00', creditedOn: '2026-09-21' } }), 'interest');
  return { banks, agencies };
}

async function json(s: ServiceProcess, path: string): Promise<Record<string, unknown>> {
  const res = await s.request('GET', path);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text.slice(0, 300)}`);
  return res.json as Record<string, unknown>;
}

/** Every entry of a book in sequence order, without what differs between two databases by design (ids, hashes, recording times). */
async function entries(s: ServiceProcess, book: string): Promise<unknown[]> {
  const out: unknown[] = [];
  let cursor: string | null = null;
  do {
    const page = (await json(s, `/v1/ledger/entries?book=${book}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)) as { items: Record<string, unknown>[]; nextCursor: string | null };
    for (const e of page.items) out.push({ sequence: e.sequence, effectiveDate: e.effectiveDate, memo: e.memo, lines: e.lines, link: e.link });
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** Differ between two databases by design: ids, recording times, and hashes that cover them. */
const VOLATILE = new Set(['headHash', 'startedAt', 'finishedAt', 'entryIds', 'placementId', 'id', 'createdAt', 'liftedAt', 'recordedAt', 'asOf']);

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([k]) => !VOLATILE.has(k)).map(([k, v]) => [k, stable(v)]));
  }
  return value;
}

/**
 * What a finished close must agree on between an uninterrupted run and a killed-and-restarted one:
 * the run with its duties (attempts included), the parties' statuses and reasons, and both books'
 * entries in order; plus each book's verify report.
 */
export async function closeOutcome(s: ServiceProcess, world: QuarterWorld) {
  const quarter = stable(await json(s, `/v1/quarters/${FAULT_QUARTER}`));
  const parties: unknown[] = [];
  for (const b of world.banks) parties.push(stable(await json(s, `/v1/banks/${b}/status-reasons`)));
  for (const a of world.agencies) parties.push(stable(await json(s, `/v1/agencies/${a}/status-reasons`)));
  const books: Record<string, { entries: unknown[]; digest: string; verify: Record<string, unknown> }> = {};
  for (const book of ['reserve', 'margin']) {
    const list = await entries(s, book);
    books[book] = { entries: list, digest: createHash('sha256').update(JSON.stringify(list)).digest('hex'), verify: await json(s, `/v1/ledger/verify?book=${book}`) };
  }
  return { quarter, parties, books };
}
