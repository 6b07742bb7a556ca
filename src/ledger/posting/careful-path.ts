import { DomainError } from '../../common/errors/domain-error';
import { fenOf, fenText } from '../../common/money/fen';
import { CANONICAL_VERSION } from '../domain/canonical';
import { Side } from '../domain/accounts';
import { ledgerErrors, withEntryIndex } from '../domain/ledger.errors';
import { Balances, LockedBalance, accountKey, checkGroup } from '../domain/posting-check';
import { Head, LineRows, numberEntries } from './numbering';
import { Group, GroupResult, PostedEntry, Querier } from './posting.types';

/**
 * The careful path (docs/ledger.md "Floors under concurrency"): lock and read the touched balance
 * rows in account-id order, check each group on its own against them, move only the accepted
 * groups' rows and lock the book heads, number and hash in code, insert. Three round trips where
 * the fast path takes one, but it answers every refusal exactly (the figures, the entry's index),
 * and one refused group never fails the others. Runs in the caller's transaction.
 */
export async function writeCareful(q: Querier, groups: Group[], now: () => Date): Promise<GroupResult[]> {
  const { balances, closedOf } = await lockBalances(q, groups);
  const results = new Array<GroupResult>(groups.length);
  const accepted: number[] = [];
  for (const [i, g] of groups.entries()) {
    const error = await checkCarefully(q, g, balances, closedOf);
    if (error) results[i] = error;
    else accepted.push(i);
  }
  if (!accepted.length) return results;

  const heads = await moveAndLockHeads(q, groups, accepted, balances);
  const accountIdOf = (item: { book: string }, account: string) => (balances.get(accountKey(item.book, account)) as LockedBalance).id;
  const recordedAt = now();
  const { posted, byGroup, lines } = numberEntries(groups, accepted, heads, accountIdOf, recordedAt);
  for (const [i, entries] of byGroup) results[i] = entries;
  await insertEntries(q, posted, lines, recordedAt.toISOString());
  return results;
}

interface AccountRow {
  id: string;
  book: string;
  code: string;
  normal_side: Side;
  floor: string | null;
  debits: string;
  credits: string;
  closed_through: string | null;
  closed_on: string | null;
}

/** Locks every account the groups touch (account-id order) and reads its balance and its book's closed-through date. */
async function lockBalances(q: Querier, groups: Group[]): Promise<{ balances: Balances; closedOf: (book: string) => string | null }> {
  const touched = new Map<string, { book: string; code: string }>();
  for (const g of groups) {
    for (const item of g.items) {
      for (const l of item.lines) {
        const key = accountKey(item.book, l.account);
        if (!touched.has(key)) touched.set(key, { book: item.book, code: l.account });
      }
    }
  }
  const list = [...touched.values()];
  const rows = (await q(
    `SELECT a.id, a.book, a.code, a.normal_side, a.floor, a.debits, a.credits, b.closed_through, a.closed_on
       FROM ledger_accounts a
       JOIN unnest($1::text[], $2::text[]) AS k(book, code) ON a.book = k.book AND a.code = k.code
       JOIN ledger_books b ON b.code = a.book
      ORDER BY a.id
        FOR UPDATE OF a`,
    [list.map((m) => m.book), list.map((m) => m.code)],
  )) as AccountRow[];
  const balances: Balances = new Map();
  const closedThrough = new Map<string, string | null>();
  for (const r of rows) {
    balances.set(accountKey(r.book, r.code), {
      id: r.id,
      normalSide: r.normal_side,
      floor: r.floor === null ? null : fenOf(r.floor),
      debits: fenOf(r.debits),
      credits: fenOf(r.credits),
      closedOn: r.closed_on,
    });
    closedThrough.set(r.book, r.closed_through);
  }
  return { balances, closedOf: (book) => closedThrough.get(book) ?? null };
}

/** One group's checks (domain/posting-check.ts); an unknown account is told from an unknown book by one look-up. */
async function checkCarefully(q: Querier, g: Group, balances: Balances, closedOf: (book: string) => string | null): Promise<DomainError | null> {
  const outcome = checkGroup(g, balances, closedOf);
  if (outcome.kind === 'accepted') return null;
  if (outcome.kind === 'refused') return outcome.error;
  const { entry, accounts } = outcome;
  const book = (await q(`SELECT 1 FROM ledger_books WHERE code = $1`, [entry.book])) as unknown[];
  const error = book.length ? ledgerErrors.unknownAccounts(entry.book, accounts) : ledgerErrors.unknownBook(entry.book);
  return withEntryIndex(error, g.indexed ? entry.index : null) as DomainError;
}

interface HeadRow {
  code: string;
  last_sequence: string;
  last_hash: string;
  closed_through: string | null;
}

/** Moves the balance rows (net per account, accepted groups only) and then locks the book heads, in one statement. */
async function moveAndLockHeads(q: Querier, groups: Group[], accepted: number[], balances: Balances): Promise<Map<string, Head>> {
  const deltas = new Map<string, { debit: bigint; credit: bigint }>();
  for (const i of accepted) {
    for (const item of groups[i].items) {
      item.lines.forEach((l, n) => {
        const id = (balances.get(accountKey(item.book, l.account)) as LockedBalance).id;
        let d = deltas.get(id);
        if (!d) deltas.set(id, (d = { debit: 0n, credit: 0n }));
        if (l.side === 'debit') d.debit += item.fen[n];
        else d.credit += item.fen[n];
      });
    }
  }
  const ids = [...deltas.keys()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const books = [...new Set(accepted.flatMap((i) => groups[i].items.map((item) => item.book)))].sort();
  const rows = (await q(
    `WITH moved AS (
       UPDATE ledger_accounts a SET debits = a.debits + v.debit, credits = a.credits + v.credit
         FROM unnest($1::bigint[], $2::numeric[], $3::numeric[]) AS v(id, debit, credit)
        WHERE a.id = v.id
        RETURNING a.id)
     SELECT code, last_sequence, last_hash, closed_through
       FROM ledger_books WHERE code = ANY($4::text[]) ORDER BY code FOR UPDATE`,
    [ids, ids.map((id) => fenText((deltas.get(id) as { debit: bigint }).debit)), ids.map((id) => fenText((deltas.get(id) as { credit: bigint }).credit)), books],
  )) as HeadRow[];
  const heads = new Map<string, Head>();
  for (const h of rows) heads.set(h.code, { sequence: Number(h.last_sequence), hash: h.last_hash, closedThrough: h.closed_through });
  return heads;
}

/**
 * Inserts entries and lines in one statement; `lines_in_statement` has the entry trigger check
 * that they are complete and balance at the end of it (no deferred per-entry check at COMMIT).
 */
async function insertEntries(q: Querier, posted: PostedEntry[], lines: LineRows, recordedIso: string): Promise<void> {
  await q(
    `WITH e AS (
       INSERT INTO ledger_entries (id, book, sequence, effective_date, recorded_at, memo, link_type, link_id, reversal_of, line_count, prev_hash, hash,
                                   lines_in_statement, canonical_version)
       SELECT u.*, true, ${CANONICAL_VERSION} FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::date[], $5::timestamptz[], $6::text[], $7::text[], $8::text[],
                                    $9::uuid[], $10::int[], $11::text[], $12::text[]) AS u)
     INSERT INTO ledger_lines (entry_id, line_no, account_id, side, amount, effective_date, sequence)
     SELECT * FROM unnest($13::uuid[], $14::smallint[], $15::bigint[], $16::text[], $17::numeric[], $18::date[], $19::bigint[])`,
    [
      posted.map((p) => p.id),
      posted.map((p) => p.book),
      posted.map((p) => p.sequence),
      posted.map((p) => p.effectiveDate),
      posted.map(() => recordedIso),
      posted.map((p) => p.memo),
      posted.map((p) => p.link?.type ?? null),
      posted.map((p) => p.link?.id ?? null),
      posted.map((p) => p.reversalOf),
      posted.map((p) => p.lines.length),
      posted.map((p) => p.prevHash),
      posted.map((p) => p.hash),
      lines.entry,
      lines.no,
      lines.account,
      lines.side,
      lines.amount,
      lines.date,
      lines.seq,
    ],
  );
}
