import { Money } from '../../common/money/money';
import { CANONICAL_VERSION, canonicalEntry, canonicalFromParts } from '../domain/canonical';
import { newEntryId, prepareEntry } from './prepare';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('new entry ids (issue #16: time-ordered keys)', () => {
  it('are UUIDv7 by default: version 7, RFC variant, the first 48 bits are the Unix time in ms', () => {
    const before = Date.now();
    const id = newEntryId();
    const after = Date.now();
    expect(id).toMatch(V7);
    // Worked example: 019a7b3c-5d10-7… → 0x019a7b3c5d10 ms = 1763004144912 = 2025-11-13T03:22:24.912Z.
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
    expect(new Date(parseInt('019a7b3c5d10', 16)).toISOString()).toBe('2025-11-13T03:22:24.912Z');
  });

  it('increase strictly within a process, even many in one millisecond (so index inserts go to the right edge)', () => {
    const ids = Array.from({ length: 5000 }, () => newEntryId('time-ordered'));
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('random (v4, as before issue #16) is still available for the benchmark comparison', () => {
    expect(newEntryId('random')).toMatch(V4);
  });

  it('a prepared entry carries its id in the canonical form the hash covers (same form as before, only the id differs)', async () => {
    const lines = [
      { account: 'reserve:payable:BANK01', debit: Money.of('1825230.00') },
      { account: 'reserve:deposit:BANK01', credit: Money.of('1825230.00') },
    ];
    const input = { book: 'reserve', effectiveDate: '2025-07-15', memo: 'Claim payout', link: { type: 'claim', id: 'C1' }, lines };
    const noQueries = () => Promise.reject(new Error('no query expected'));
    const prepared = await prepareEntry(noQueries, input, null);
    expect(prepared.id).toMatch(V7);
    const recordedAt = '2025-07-15T08:30:00.123Z';
    expect(canonicalFromParts(prepared.canonical, 12, recordedAt)).toBe(
      canonicalEntry({ version: CANONICAL_VERSION, id: prepared.id, book: 'reserve', sequence: 12, effectiveDate: '2025-07-15', recordedAt, memo: 'Claim payout', link: input.link, reversalOf: null, lines: prepared.lines }),
    );
    expect((await prepareEntry(noQueries, input, null, 'random')).id).toMatch(V4);
  });
});
