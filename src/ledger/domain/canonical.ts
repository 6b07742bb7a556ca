import { createHash } from 'node:crypto';
import { Money } from '../../common/money/money';
import { Side } from './accounts';

/** The hash an empty book's chain starts from. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Versions of the canonical form (docs/ledger.md "Hash chain"); each entry stores the version its
 * hash was computed with (`ledger_entries.canonical_version`), so the form can change without
 * breaking the chains already written.
 * - 1: `recordedAt` to the millisecond ("2025-07-15T08:30:00.123Z");
 * - 2 (current): `recordedAt` to the microsecond, PostgreSQL's own precision
 *   ("2025-07-15T08:30:00.123000Z"), so the form is exactly the stored value.
 * Every other field is the same in both: the text PostgreSQL stores and returns.
 */
export type CanonicalVersion = 1 | 2;
export const CANONICAL_VERSION: CanonicalVersion = 2;

export interface CanonicalEntryInput {
  version: CanonicalVersion;
  id: string;
  book: string;
  sequence: number;
  effectiveDate: string;
  /** The recording instant as the version writes it (see {@link recordedAtText}). */
  recordedAt: string;
  memo: string;
  link: { type: string; id: string } | null;
  reversalOf: string | null;
  lines: readonly { lineNo: number; account: string; side: Side; amount: Money }[];
}

/**
 * The canonical form of an entry (docs/ledger.md "Hash chain"): compact JSON with keys in this
 * fixed order, amounts as two-decimal strings, lines in line order. JSON.stringify is
 * deterministic for this shape (no floats, fixed key order), so any auditor can rebuild it from
 * the exported journal with a few lines of code.
 */
export function canonicalEntry(e: CanonicalEntryInput): string {
  return JSON.stringify({
    v: e.version,
    id: e.id,
    book: e.book,
    sequence: e.sequence,
    effectiveDate: e.effectiveDate,
    recordedAt: e.recordedAt,
    memo: e.memo,
    link: e.link ? { type: e.link.type, id: e.link.id } : null,
    reversalOf: e.reversalOf,
    lines: [...e.lines]
      .sort((a, b) => a.lineNo - b.lineNo)
      .map((l) => ({ line: l.lineNo, account: l.account, side: l.side, amount: l.amount.toString() })),
  });
}

/** hash = sha256(previous hash ‖ canonical entry), hex; the previous hash as its 64 hex characters. */
export function chainHash(prevHash: string, canonical: string): string {
  return createHash('sha256').update(prevHash, 'utf8').update(canonical, 'utf8').digest('hex');
}

export function entryHash(prevHash: string, entry: CanonicalEntryInput): string {
  return chainHash(prevHash, canonicalEntry(entry));
}

/**
 * The canonical form cut around the two fields only known under the book head lock (sequence,
 * recordedAt), so that the posting hot path builds the JSON before it takes the lock and only
 * concatenates under it: canonical = before + sequence + middle + JSON(recordedAt) + after.
 * `canonicalFromParts(canonicalParts(e), e.sequence, e.recordedAt) === canonicalEntry(e)`.
 */
export interface CanonicalParts {
  before: string;
  middle: string;
  after: string;
}

export function canonicalParts(e: Omit<CanonicalEntryInput, 'sequence' | 'recordedAt'>): CanonicalParts {
  const rest = JSON.stringify({
    memo: e.memo,
    link: e.link ? { type: e.link.type, id: e.link.id } : null,
    reversalOf: e.reversalOf,
    lines: [...e.lines]
      .sort((a, b) => a.lineNo - b.lineNo)
      .map((l) => ({ line: l.lineNo, account: l.account, side: l.side, amount: l.amount.toString() })),
  });
  return {
    before: `{"v":${e.version},"id":${JSON.stringify(e.id)},"book":${JSON.stringify(e.book)},"sequence":`,
    middle: `,"effectiveDate":${JSON.stringify(e.effectiveDate)},"recordedAt":`,
    after: `,${rest.slice(1)}`,
  };
}

export function canonicalFromParts(p: CanonicalParts, sequence: number, recordedAt: string): string {
  return `${p.before}${sequence}${p.middle}${JSON.stringify(recordedAt)}${p.after}`;
}

// ---- the stored form -------------------------------------------------------------------------
// What PostgreSQL holds for a value the service writes, so that the hash covers exactly what a
// later reader gets back (issue 10 item 1). The edge refuses text that is not valid Unicode; these
// are the second wall, for any caller that reaches the ledger another way.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The text a string becomes in a UTF-8 database: a lone UTF-16 surrogate cannot be encoded, and
 * the driver writes U+FFFD in its place (Node's UTF-8 encoder); everything else is kept as it is
 * (PostgreSQL does not normalise text). A NUL is refused by PostgreSQL, so it is never stored.
 *
 * Example: "a\ud800b" → "a\ufffdb"; "e\u0301" (NFD) stays "e\u0301", not "é".
 */
export function storedText(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD');
}

/** A uuid as PostgreSQL prints it: lower case ("6E05…" → "6e05…"). The posting checks its hyphenated shape first. */
export function storedUuid(s: string): string {
  return s.toLowerCase();
}

/**
 * The recording instant as a version of the canonical form writes it, from the instant as
 * PostgreSQL holds it to the microsecond ("2025-07-15T08:30:00.123456Z", UTC). Version 1 wrote
 * milliseconds; an instant with microseconds beyond them was never hashed by version 1, so it is
 * kept whole (and cannot match).
 *
 * Example: v1 "2025-07-15T08:30:00.123000Z" → "2025-07-15T08:30:00.123Z"; v2 unchanged.
 */
export function recordedAtText(version: CanonicalVersion, micros: string): string {
  if (version === 1 && /\.\d{3}000Z$/.test(micros)) return `${micros.slice(0, -4)}Z`;
  return micros;
}

/** A JS Date (milliseconds) as PostgreSQL's microsecond UTC text: "2025-07-15T08:30:00.123Z" → "2025-07-15T08:30:00.123000Z". */
export function microsText(d: Date): string {
  return `${d.toISOString().slice(0, -1)}000Z`;
}
