import { createHash } from 'node:crypto';
import { Money } from '../../common/money/money';
import { Side } from './accounts';

/** The hash an empty book's chain starts from. */
export const GENESIS_HASH = '0'.repeat(64);

/** Version tag inside the canonical form, so the form can evolve without ambiguity. */
export const CANONICAL_VERSION = 1;

export interface CanonicalEntryInput {
  id: string;
  book: string;
  sequence: number;
  effectiveDate: string;
  /** Millisecond precision, UTC, ISO 8601 ("2025-07-15T08:30:00.123Z"). */
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
    v: CANONICAL_VERSION,
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
    before: `{"v":${CANONICAL_VERSION},"id":${JSON.stringify(e.id)},"book":${JSON.stringify(e.book)},"sequence":`,
    middle: `,"effectiveDate":${JSON.stringify(e.effectiveDate)},"recordedAt":`,
    after: `,${rest.slice(1)}`,
  };
}

export function canonicalFromParts(p: CanonicalParts, sequence: number, recordedAt: string): string {
  return `${p.before}${sequence}${p.middle}${JSON.stringify(recordedAt)}${p.after}`;
}
