import { DomainError, ErrorDetail } from '../../common/errors/domain-error';
import { fenText } from '../../common/money/fen';
import { Side } from './accounts';
import { LEDGER_ERRORS, ledgerErrors, withEntryIndex } from './ledger.errors';

/**
 * The checks an entry needs its accounts' balance rows for (docs/ledger.md "Floors under
 * concurrency"): every account known, the date after the book's closed period, and the floor rule
 * on the entry's net movement per account. Pure: the posting paths lock and read the rows, these
 * functions decide on them. Amounts are integer fen (exact, and no Decimal per value in a batch
 * of hundreds of entries).
 */

/** A balance row under lock, in integer fen. */
export interface LockedBalance {
  id: string;
  normalSide: Side;
  floor: bigint | null;
  debits: bigint;
  credits: bigint;
  /** The date the account was closed (RULES §8, account moves): it accepts no posting since. Absent or null: open. */
  closedOn?: string | null;
}

/** Locked balance rows by accountKey(book, code). */
export type Balances = Map<string, LockedBalance>;

/** What the checks read of an entry: its book and date, and per line the account, side and amount in fen. */
export interface EntryToCheck {
  /** Position in the caller's request (errors name it when the request carried several entries). */
  index: number;
  book: string;
  effectiveDate: string;
  lines: readonly { account: string; side: Side }[];
  /** Per line, the amount in integer fen. */
  fen: readonly bigint[];
}

/** Entries that commit or fail together (one post() or postMany() call). */
export interface GroupToCheck<E extends EntryToCheck = EntryToCheck> {
  items: readonly E[];
  /** Errors name the entry (details[].entry) when the call carried more than one. */
  indexed: boolean;
}

/**
 * A group's outcome: accepted (and applied to the balances), refused with the first refused
 * entry's error (tagged with its index), or stopped at an entry naming accounts that have no
 * balance row — whether its book exists decides the error, which takes a look-up (the caller's).
 */
export type GroupCheck<E extends EntryToCheck = EntryToCheck> =
  | { kind: 'accepted' }
  | { kind: 'refused'; error: DomainError }
  | { kind: 'unknown-accounts'; entry: E; accounts: string[] };

type Totals = { debits: bigint; credits: bigint };

/** The key of an account in `Balances`. */
export function accountKey(book: string, code: string): string {
  return `${book}\u0000${code}`;
}

/**
 * Checks a group's entries in order against the balances, each as moved by the group's earlier
 * entries. When every entry passes, the group's movement is applied to `balances` (so the next
 * group of a coalesced batch is checked against it) and 'accepted' is returned; otherwise
 * `balances` is left as it was.
 *
 * Example: deposit floor 0.00, balance 100.00; group [credit 60.00, credit 50.00] → the second
 * entry would take 40.00 to −10.00: refused, LEDGER.FLOOR_BREACH naming entry 1 when indexed.
 */
export function checkGroup<E extends EntryToCheck>(group: GroupToCheck<E>, balances: Balances, closedOf: (book: string) => string | null): GroupCheck<E> {
  const overlay = new Map<string, Totals>();
  for (const item of group.items) {
    const missing = unknownAccounts(item, balances);
    if (missing) return { kind: 'unknown-accounts', entry: item, accounts: missing };
    const error = checkEntry(item, balances, overlay, closedOf);
    if (error) return { kind: 'refused', error: withEntryIndex(error, group.indexed ? item.index : null) as DomainError };
  }
  for (const [key, v] of overlay) {
    const b = balances.get(key) as LockedBalance;
    b.debits = v.debits;
    b.credits = v.credits;
  }
  return { kind: 'accepted' };
}

/** The entry's accounts without a balance row, each once, in line order; null when all are known. */
export function unknownAccounts(item: EntryToCheck, balances: Balances): string[] | null {
  let missing: string[] | null = null;
  for (const l of item.lines) {
    if (!balances.has(accountKey(item.book, l.account)) && !(missing ??= []).includes(l.account)) missing.push(l.account);
  }
  return missing;
}

/**
 * One entry whose accounts are all known, against the balances as moved by its group's earlier
 * entries (`overlay`, updated when the entry passes): the closed period, then closed accounts
 * (a closed account accepts no line at all, whatever its side), then the floor rule on
 * each account's net movement within the entry — a movement that lowers a floored balance must
 * not leave it below the floor; one that raises it always passes. Every breached account is listed.
 */
export function checkEntry(item: EntryToCheck, balances: Balances, overlay: Map<string, Totals>, closedOf: (book: string) => string | null): DomainError | null {
  const closed = closedOf(item.book);
  if (closed !== null && item.effectiveDate <= closed) return ledgerErrors.closedPeriod(item.book, closed, item.effectiveDate);
  const closedAccounts = closedAccountsOf(item, balances);
  if (closedAccounts) return ledgerErrors.accountClosed(item.book, closedAccounts);

  let breaches: ErrorDetail[] | null = null;
  const after = new Map<string, Totals>();
  for (const [code, n] of netMovements(item)) {
    const key = accountKey(item.book, code);
    const b = balances.get(key) as LockedBalance;
    const current = overlay.get(key) ?? b;
    after.set(key, { debits: current.debits + n.debit, credits: current.credits + n.credit });
    if (b.floor === null) continue;
    const before = b.normalSide === 'debit' ? current.debits - current.credits : current.credits - current.debits;
    const change = b.normalSide === 'debit' ? n.debit - n.credit : n.credit - n.debit;
    const wouldBe = before + change;
    if (wouldBe < before && wouldBe < b.floor) (breaches ??= []).push(floorBreachDetail(code, before, change, wouldBe, b.floor));
  }
  if (breaches) return ledgerErrors.floorBreach(breaches);
  for (const [key, v] of after) overlay.set(key, v);
  return null;
}

/** The entry's closed accounts, each once in line order, with their closing dates; null when none. */
function closedAccountsOf(item: EntryToCheck, balances: Balances): { account: string; closedOn: string }[] | null {
  let closed: { account: string; closedOn: string }[] | null = null;
  for (const l of item.lines) {
    const closedOn = balances.get(accountKey(item.book, l.account))?.closedOn;
    if (closedOn && !(closed ??= []).some((c) => c.account === l.account)) closed.push({ account: l.account, closedOn });
  }
  return closed;
}

/** Debits and credits per account within one entry (an account may appear on several lines). */
function netMovements(item: EntryToCheck): Map<string, { debit: bigint; credit: bigint }> {
  const net = new Map<string, { debit: bigint; credit: bigint }>();
  item.lines.forEach((l, i) => {
    let n = net.get(l.account);
    if (!n) net.set(l.account, (n = { debit: 0n, credit: 0n }));
    if (l.side === 'debit') n.debit += item.fen[i];
    else n.credit += item.fen[i];
  });
  return net;
}

function floorBreachDetail(account: string, before: bigint, change: bigint, wouldBe: bigint, floor: bigint): ErrorDetail {
  return {
    code: LEDGER_ERRORS.FLOOR_BREACH,
    message: `${account} would go from ${fenText(before)} to ${fenText(wouldBe)}, below its floor ${fenText(floor)}`,
    account,
    balance: fenText(before),
    change: fenText(change),
    wouldBe: fenText(wouldBe),
    floor: fenText(floor),
  };
}
