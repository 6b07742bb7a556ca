import { createHash } from 'node:crypto';
import { Money } from '../../common/money/money';
import { GENESIS_HASH, canonicalEntry, canonicalFromParts, canonicalParts, entryHash } from './canonical';
import { ChainVerifier, StoredEntry } from './chain-verifier';

const base = {
  id: '6e05080d-9b91-46b5-9743-0dd988434c36',
  book: 'reserve',
  sequence: 1,
  effectiveDate: '2025-07-15',
  recordedAt: '2025-07-15T08:30:00.123Z',
  memo: '代偿 claim 1',
  link: { type: 'claim', id: 'C1' },
  reversalOf: null,
  lines: [
    { lineNo: 2, account: 'reserve:deposit:BANK01', side: 'credit' as const, amount: Money.of('1825230.00') },
    { lineNo: 1, account: 'reserve:payable:BANK01', side: 'debit' as const, amount: Money.of('1825230') },
  ],
};

describe('canonical form and hash chain (docs/ledger.md "Hash chain")', () => {
  it('is compact JSON with a fixed key order, amounts to two decimals, lines in line order', () => {
    expect(canonicalEntry(base)).toBe(
      '{"v":1,"id":"6e05080d-9b91-46b5-9743-0dd988434c36","book":"reserve","sequence":1,"effectiveDate":"2025-07-15",' +
        '"recordedAt":"2025-07-15T08:30:00.123Z","memo":"代偿 claim 1","link":{"type":"claim","id":"C1"},"reversalOf":null,' +
        '"lines":[{"line":1,"account":"reserve:payable:BANK01","side":"debit","amount":"1825230.00"},' +
        '{"line":2,"account":"reserve:deposit:BANK01","side":"credit","amount":"1825230.00"}]}',
    );
  });

  it('hash = sha256(previous hash hex ‖ canonical entry, UTF-8)', () => {
    const expected = createHash('sha256').update(GENESIS_HASH + canonicalEntry(base), 'utf8').digest('hex');
    expect(entryHash(GENESIS_HASH, base)).toBe(expected);
    expect(entryHash(GENESIS_HASH, { ...base, memo: '代偿 claim 2' })).not.toBe(expected);
  });

  it('canonicalParts + canonicalFromParts rebuild exactly the canonical form (the posting hot path)', () => {
    for (const e of [base, { ...base, link: null, reversalOf: 'b1e0c4a2-0000-4000-8000-000000000000', memo: 'a "quoted" \\ memo\n' }]) {
      for (const [sequence, recordedAt] of [[1, e.recordedAt], [123456789, '2026-01-01T00:00:00.000Z']] as const) {
        expect(canonicalFromParts(canonicalParts(e), sequence, recordedAt)).toBe(canonicalEntry({ ...e, sequence, recordedAt }));
      }
    }
  });
});

describe('ChainVerifier', () => {
  function chain(n: number): StoredEntry[] {
    const out: StoredEntry[] = [];
    let prev = GENESIS_HASH;
    for (let i = 1; i <= n; i++) {
      const e = { ...base, id: `id-${i}`, sequence: i };
      const hash = entryHash(prev, e);
      out.push({ ...e, prevHash: prev, hash });
      prev = hash;
    }
    return out;
  }

  it('accepts an intact chain that ends at the head', () => {
    const entries = chain(4);
    const v = new ChainVerifier();
    entries.forEach((e) => v.feed(e));
    expect(v.finish({ lastSequence: 4, lastHash: entries[3].hash })).toEqual({ ok: true, entries: 4, head: entries[3].hash, firstBroken: null });
  });

  it('reports the first entry whose content no longer matches its hash', () => {
    const entries = chain(4);
    entries[2] = { ...entries[2], lines: [{ ...entries[2].lines[0], amount: Money.of('1.00') }, entries[2].lines[1]] };
    entries[3] = { ...entries[3], memo: 'also changed' };
    const v = new ChainVerifier();
    entries.forEach((e) => v.feed(e));
    const r = v.finish({ lastSequence: 4, lastHash: entries[3].hash });
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toMatchObject({ sequence: 3, entryId: 'id-3', reason: 'HASH_MISMATCH' });
  });

  it('reports a missing entry as a sequence gap, and a truncated tail as a head mismatch', () => {
    const entries = chain(4);
    const gap = new ChainVerifier();
    [entries[0], entries[2], entries[3]].forEach((e) => gap.feed(e));
    expect(gap.finish({ lastSequence: 4, lastHash: entries[3].hash }).firstBroken).toMatchObject({ sequence: 2, reason: 'SEQUENCE_GAP' });
    const tail = new ChainVerifier();
    entries.slice(0, 3).forEach((e) => tail.feed(e));
    expect(tail.finish({ lastSequence: 4, lastHash: entries[3].hash }).firstBroken).toMatchObject({ reason: 'HEAD_MISMATCH' });
  });
});
