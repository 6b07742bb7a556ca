import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { isValidIsoDate } from '../../common/calendar/iso-date';
import { DomainError, ErrorDetail } from '../../common/errors/domain-error';
import { fenOf } from '../../common/money/fen';
import { Money } from '../../common/money/money';
import { checkBookCode } from '../domain/accounts';
import { CANONICAL_VERSION, canonicalParts, storedText, storedUuid } from '../domain/canonical';
import { EntryLine, buildEntryLines, mirrorLines, sameLines } from '../domain/entry';
import { LEDGER_ERRORS, ledgerErrors, withEntryIndex } from '../domain/ledger.errors';
import { EntryIdKind, Group, PostingInput, Prepared, Querier } from './posting.types';

/**
 * Everything a posting checks and builds before it takes a lock (docs/ledger.md "Floors under
 * concurrency"): the entry's shape, dates and lines, a reversal's original, the entry's id, its
 * amounts as fen and text, and its canonical form around the two fields only known under the
 * head lock. Refusals here are final; nothing has been written.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MEMO_MAX = 2000;

/**
 * A new entry's id: time-ordered (UUIDv7, RFC 9562: 48 bits of Unix milliseconds, then a counter
 * and random bits; the `uuid` package keeps ids from one process strictly increasing) by default.
 * Entry ids then arrive in index order, so inserts into the `ledger_entries` and `ledger_lines`
 * keys fill the rightmost pages instead of random ones (fewer pages touched, fewer full-page
 * images after a checkpoint: docs/benchmarks.md "Issue 16"). `random` (v4, the ids before issue
 * #16) is kept for the benchmark's before/after comparison. Nothing reads meaning into an id: the
 * order of a book is its sequence, and `recordedAt` its time.
 */
export function newEntryId(kind: EntryIdKind = 'time-ordered'): string {
  return kind === 'random' ? randomUUID() : uuidv7();
}

/** The entries of one call, in order; errors name the entry when the call carries more than one. */
export async function prepareGroup(q: Querier, inputs: PostingInput[], ids: EntryIdKind = 'time-ordered'): Promise<Group> {
  const items: Prepared[] = [];
  for (const [i, input] of inputs.entries()) items.push(await prepareEntry(q, input, inputs.length > 1 ? i : null, ids));
  return { items, indexed: inputs.length > 1 };
}

/** Checks everything that needs no lock: shape, dates, lines, and a reversal's original. */
export async function prepareEntry(q: Querier, input: PostingInput, index: number | null, ids: EntryIdKind = 'time-ordered'): Promise<Prepared> {
  try {
    checkShape(input);
    // Everything that is hashed is first put in the form PostgreSQL will store and give back
    // (domain/canonical.ts "the stored form"), and exactly that is inserted, so the hash covers
    // the stored row and verify can recompute it from the row (issue 10 item 1).
    const link = input.link ? { type: storedText(input.link.type), id: storedText(input.link.id) } : null;
    const reversalOf = input.reversalOf ? storedUuid(input.reversalOf) : null;
    const built = reversalOf ? await reversalLines(q, input, reversalOf) : buildEntryLines(input.lines);
    const lines = built.map((l) => ({ ...l, account: storedText(l.account) }));
    const memo = storedText(input.memo);
    const id = newEntryId(ids);
    const amounts = lines.map((l) => l.amount.toString());
    return {
      index: index ?? 0,
      id,
      book: input.book,
      effectiveDate: input.effectiveDate,
      memo,
      link,
      reversalOf,
      lines,
      fen: amounts.map(fenOf),
      amounts,
      canonical: canonicalParts({ version: CANONICAL_VERSION, id, book: input.book, effectiveDate: input.effectiveDate, memo, link, reversalOf, lines }),
    };
  } catch (error) {
    throw withEntryIndex(error, index);
  }
}

/** The book code, the effective date, the memo and the link; every problem listed. */
function checkShape(input: PostingInput): void {
  checkBookCode(input.book);
  const problems: ErrorDetail[] = [];
  if (!isValidIsoDate(input.effectiveDate)) {
    problems.push({ code: LEDGER_ERRORS.INVALID_ENTRY, field: 'effectiveDate', message: 'must be a real date written YYYY-MM-DD' });
  }
  if (typeof input.memo !== 'string' || input.memo.length > MEMO_MAX) {
    problems.push({ code: LEDGER_ERRORS.INVALID_ENTRY, field: 'memo', message: `a text of at most ${MEMO_MAX} characters` });
  }
  const link = input.link ?? null;
  if (link && (!link.type || !link.id || link.type.length > 100 || link.id.length > 200)) {
    problems.push({ code: LEDGER_ERRORS.INVALID_ENTRY, field: 'link', message: 'a link needs a type (≤ 100) and an id (≤ 200)' });
  }
  if (problems.length) throw DomainError.invalid(LEDGER_ERRORS.INVALID_ENTRY, 'The entry is malformed.', problems);
}

/** A reversal's lines: the mirror of the original's (given, they must equal it), in the same book, once. */
async function reversalLines(q: Querier, input: PostingInput, reversalOf: string): Promise<EntryLine[]> {
  const original = await loadOriginal(q, reversalOf);
  if (original.book !== input.book) {
    throw DomainError.rule(LEDGER_ERRORS.REVERSAL_MISMATCH, `Entry ${reversalOf} is in book "${original.book}", not "${input.book}".`);
  }
  if (original.reversedBy) throw ledgerErrors.alreadyReversed(reversalOf, original.reversedBy);
  const mirror = mirrorLines(original.lines);
  if (input.lines.length === 0) return mirror;
  const lines = buildEntryLines(input.lines);
  if (!sameLines(lines, mirror)) {
    throw DomainError.rule(LEDGER_ERRORS.REVERSAL_MISMATCH, `The lines do not mirror those of entry ${reversalOf}.`);
  }
  return lines;
}

/** An entry's book and lines, and the entry that reverses it if there is one; 404 when unknown. */
export async function loadOriginal(q: Querier, entryId: string): Promise<{ book: string; lines: EntryLine[]; reversedBy: string | null }> {
  if (!UUID.test(entryId)) throw ledgerErrors.entryNotFound(entryId);
  const rows = (await q(
    `SELECT e.book, l.line_no, a.code, l.side, l.amount,
            (SELECT r.id FROM ledger_entries r WHERE r.reversal_of = e.id) AS reversed_by
       FROM ledger_entries e JOIN ledger_lines l ON l.entry_id = e.id JOIN ledger_accounts a ON a.id = l.account_id
      WHERE e.id = $1 ORDER BY l.line_no`,
    [entryId],
  )) as { book: string; line_no: number; code: string; side: 'D' | 'C'; amount: string; reversed_by: string | null }[];
  if (!rows.length) throw ledgerErrors.entryNotFound(entryId);
  return {
    book: rows[0].book,
    reversedBy: rows[0].reversed_by,
    lines: rows.map((r) => ({ lineNo: Number(r.line_no), account: r.code, side: r.side === 'D' ? 'debit' : 'credit', amount: Money.of(r.amount) })),
  };
}
