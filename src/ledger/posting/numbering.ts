import { canonicalFromParts, chainHash, microsText } from '../domain/canonical';
import { ledgerErrors, withEntryIndex } from '../domain/ledger.errors';
import { LateCheckFailed } from './posting.errors';
import { Group, PostedEntry, Prepared } from './posting.types';

/**
 * Numbering and hashing on the locked book heads, in code (the careful path; the fast path does
 * the same in SQL, FAST_SQL's `chain`), and the PostedEntry both paths answer with. Sealing after
 * commit (issue #16) would move the work of this file to a sealer.
 */

/** A book head under lock: the last sequence and hash, the closed-through date. Advanced as entries are numbered. */
export interface Head {
  sequence: number;
  hash: string;
  closedThrough: string | null;
}

/** Where an entry sits in its book's chain. */
export interface Numbering {
  sequence: number;
  hash: string;
  prevHash: string;
}

/** The line rows to insert, as column arrays (`INSERT … SELECT FROM unnest(…)`). */
export interface LineRows {
  entry: string[];
  no: number[];
  account: string[];
  side: string[];
  amount: string[];
  date: string[];
  seq: number[];
}

/**
 * Numbers and hashes the accepted groups' entries on the locked heads, in call order, advancing
 * the heads. A period closed since the balance rows were checked (seen only now, on the head)
 * refuses: with one group, its exact error; with several, LateCheckFailed (the caller re-runs the
 * groups one transaction each).
 */
export function numberEntries(
  groups: Group[],
  accepted: number[],
  heads: Map<string, Head>,
  accountIdOf: (item: Prepared, account: string) => string,
  recordedAt: Date,
): { posted: PostedEntry[]; byGroup: Map<number, PostedEntry[]>; lines: LineRows } {
  // The canonical form's recordedAt: the instant as PostgreSQL stores and returns it.
  const recordedText = microsText(recordedAt);
  const posted: PostedEntry[] = [];
  const byGroup = new Map<number, PostedEntry[]>();
  const lines: LineRows = { entry: [], no: [], account: [], side: [], amount: [], date: [], seq: [] };
  for (const i of accepted) {
    const g = groups[i];
    const entries: PostedEntry[] = [];
    for (const item of g.items) {
      const h = heads.get(item.book) as Head;
      if (h.closedThrough !== null && item.effectiveDate <= h.closedThrough) {
        // Nothing is committed: the caller's savepoint (or our own transaction) is rolled back.
        const error = ledgerErrors.closedPeriod(item.book, h.closedThrough, item.effectiveDate);
        if (groups.length === 1) throw withEntryIndex(error, g.indexed ? item.index : null);
        throw new LateCheckFailed(error.message);
      }
      const n = { sequence: h.sequence + 1, prevHash: h.hash, hash: '' };
      n.hash = chainHash(n.prevHash, canonicalFromParts(item.canonical, n.sequence, recordedText));
      h.sequence = n.sequence;
      h.hash = n.hash;
      item.lines.forEach((l, k) => {
        lines.entry.push(item.id);
        lines.no.push(l.lineNo);
        lines.account.push(accountIdOf(item, l.account));
        lines.side.push(l.side === 'debit' ? 'D' : 'C');
        lines.amount.push(item.amounts[k]);
        lines.date.push(item.effectiveDate);
        lines.seq.push(n.sequence);
      });
      const entry = postedEntry(item, n, recordedAt);
      entries.push(entry);
      posted.push(entry);
    }
    byGroup.set(i, entries);
  }
  return { posted, byGroup, lines };
}

/** The answer for a prepared entry once it is numbered. */
export function postedEntry(item: Prepared, n: Numbering, recordedAt: Date): PostedEntry {
  return {
    id: item.id,
    book: item.book,
    sequence: n.sequence,
    hash: n.hash,
    prevHash: n.prevHash,
    effectiveDate: item.effectiveDate,
    recordedAt,
    memo: item.memo,
    link: item.link,
    reversalOf: item.reversalOf,
    lines: item.lines.map((l) => ({ lineNo: l.lineNo, account: l.account, debit: l.side === 'debit' ? l.amount : null, credit: l.side === 'credit' ? l.amount : null })),
  };
}
