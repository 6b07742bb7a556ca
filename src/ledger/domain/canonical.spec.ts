import { createHash } from 'node:crypto';
import { Money } from '../../common/money/money';
import { GENESIS_HASH, canonicalEntry, canonicalFromParts, canonicalParts, entryHash, microsText, recordedAtText, storedText, storedUuid } from './canonical';
import { ChainVerifier, StoredEntry } from './chain-verifier';

const base = {
  version: 1 as const,
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

  it('an incremental walk starts after a checkpoint and must end at the head (docs/ledger.md "Verify")', () => {
    const entries = chain(6);
    const v = new ChainVerifier({ sequence: 4, hash: entries[3].hash });
    entries.slice(4).forEach((e) => v.feed(e));
    expect(v.walked).toBe(2);
    expect(v.finish({ lastSequence: 6, lastHash: entries[5].hash })).toEqual({ ok: true, entries: 6, head: entries[5].hash, firstBroken: null });
    // A checkpoint that is not the entry before the first one walked breaks the link.
    const wrong = new ChainVerifier({ sequence: 4, hash: entries[2].hash });
    entries.slice(4).forEach((e) => wrong.feed(e));
    expect(wrong.finish({ lastSequence: 6, lastHash: entries[5].hash }).firstBroken).toMatchObject({ sequence: 5, reason: 'PREV_HASH_MISMATCH' });
  });

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

describe('the stored form (issue 10 item 1: the hash covers exactly what PostgreSQL stores)', () => {
  it('text: a lone surrogate becomes U+FFFD, as the UTF-8 encoder writes it; anything else is kept as it is', () => {
    expect(storedText('a\ud800b')).toBe('a\ufffdb');
    expect(storedText('\udc00x\ud83d')).toBe('\ufffdx\ufffd');
    for (const s of ['e\u0301', 'é', '👍🏽', '👨‍👩‍👧', '\u2028\ufeff\uffff', 'tab\tnew\nline', '代偿']) expect(storedText(s)).toBe(s);
    // The same as a round trip through UTF-8 bytes, which is what the driver sends.
    for (const s of ['a\ud800b', '\udfff', 'ok 👍', '\ud83d\ude00\ud83d']) expect(storedText(s)).toBe(Buffer.from(s, 'utf8').toString('utf8'));
  });

  it('a uuid as PostgreSQL prints it, in lower case', () => {
    expect(storedUuid('6E05080D-9B91-46B5-9743-0DD988434C36')).toBe('6e05080d-9b91-46b5-9743-0dd988434c36');
  });

  it('recordedAt: version 2 is the stored instant to the microsecond; version 1 wrote milliseconds', () => {
    expect(microsText(new Date('2025-07-15T08:30:00.123Z'))).toBe('2025-07-15T08:30:00.123000Z');
    expect(recordedAtText(2, '2025-07-15T08:30:00.123456Z')).toBe('2025-07-15T08:30:00.123456Z');
    expect(recordedAtText(1, '2025-07-15T08:30:00.123000Z')).toBe('2025-07-15T08:30:00.123Z');
    // Microseconds version 1 could not have hashed stay visible (and cannot match).
    expect(recordedAtText(1, '2025-07-15T08:30:00.123456Z')).toBe('2025-07-15T08:30:00.123456Z');
  });

  it('version 2 differs from version 1 only in v and recordedAt', () => {
    const v2 = { ...base, version: 2 as const, recordedAt: '2025-07-15T08:30:00.123000Z' };
    expect(canonicalEntry(v2)).toBe(canonicalEntry(base).replace('"v":1', '"v":2').replace('08:30:00.123Z', '08:30:00.123000Z'));
    expect(canonicalFromParts(canonicalParts(v2), 1, v2.recordedAt)).toBe(canonicalEntry(v2));
  });
});
