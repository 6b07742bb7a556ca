import { extractReferences } from './payment-reference';

/**
 * Matching a bank statement with the books (RULES §8 "Reconciliation"; R 第二十一条): which
 * statement lines are the ledger's movements of the reserve account, and which are left over on
 * either side. Pure and deterministic: the same inputs (in any order) always give the same matches,
 * because every pass walks its items in a fixed order — statement lines by (date, position), ledger
 * lines by (date, sequence, line) — and breaks every tie the same way. No line is ever used twice.
 *
 * Amounts are signed integer fen, as the bank sees the account: + money in, − money out (a ledger
 * debit of the deposit account is +, a credit −). Passes, in order:
 *
 * 1. `reference`: a statement line whose text carries payment-instruction references (see
 *    payment-reference.ts) matches the ledger lines of those instructions when they are all still
 *    unmatched and their amounts add up to the line's exactly — one line to one, or one line to
 *    several (a bank batching refunds lists their references). A reference found with a different
 *    amount is not matched: it is reported (`REFERENCE_AMOUNT_DIFFERS`) for a person to decide.
 *    `reference-split`: several statement lines carrying the same single reference whose amounts
 *    add up to that instruction's amount (a payment the bank executed in parts).
 * 2. `amount-date`: one statement line, one ledger line of the same amount within ±window working
 *    days; the nearest date wins, then the earlier ledger date, then the lower ledger order.
 * 3. `batch`: one statement line equal to the sum of all (≥ 2) unmatched ledger lines of one date
 *    within the window and of the same sign (nearest date first).
 * 4. `split`: one ledger line equal to the sum of all (≥ 2) unmatched statement lines of one date
 *    within the window and of the same sign.
 *
 * Finally, every statement line still unmatched that repeats an earlier line of the same statement
 * (same date, amount and text) is reported as `POSSIBLE_DUPLICATE`: the bank may have executed a
 * payment twice, or the file repeats a line; either way a person decides.
 */
export interface StatementItem {
  /** Position in the statement (1-based); unique. */
  position: number;
  date: string;
  fen: bigint;
  /** Reference, 附言 and 摘要 together: where references are looked for. */
  text: string;
}

export interface LedgerItem {
  /** `entryId#lineNo`; unique. */
  key: string;
  date: string;
  fen: bigint;
  /** The reference of the line's payment instruction, if any. */
  reference: string | null;
  /** Sort order in the books: sequence × 1000 + line number. */
  order: number;
}

export type MatchMethod = 'reference' | 'reference-split' | 'amount-date' | 'batch' | 'split';

export interface ProposedMatch {
  method: MatchMethod;
  statement: number[];
  ledger: string[];
}

export interface MatchHint {
  position: number;
  code: 'REFERENCE_AMOUNT_DIFFERS' | 'POSSIBLE_DUPLICATE';
  message: string;
}

export interface MatchOptions {
  /** ± working days between the statement's date and the books' date (default policy: 3). */
  windowDays: number;
  /** The working-day index of a date (consecutive working days differ by 1); supplied by the caller. */
  dayIndex: (date: string) => number;
}

export interface MatchResult {
  matches: ProposedMatch[];
  hints: MatchHint[];
}

const byStatementOrder = (a: StatementItem, b: StatementItem) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.position - b.position);
const byLedgerOrder = (a: LedgerItem, b: LedgerItem) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.order - b.order);
const sign = (fen: bigint) => (fen > 0n ? 1 : fen < 0n ? -1 : 0);
const sum = (values: readonly bigint[]) => values.reduce((a, b) => a + b, 0n);

class MatchState {
  readonly statement: StatementItem[];
  readonly ledger: LedgerItem[];
  readonly usedStatement = new Set<number>();
  readonly usedLedger = new Set<string>();
  readonly matches: ProposedMatch[] = [];
  readonly hints: MatchHint[] = [];
  private readonly dayCache = new Map<string, number>();

  constructor(
    statement: readonly StatementItem[],
    ledger: readonly LedgerItem[],
    readonly options: MatchOptions,
  ) {
    this.statement = [...statement].sort(byStatementOrder);
    this.ledger = [...ledger].sort(byLedgerOrder);
  }

  day(date: string): number {
    let d = this.dayCache.get(date);
    if (d === undefined) {
      d = this.options.dayIndex(date);
      this.dayCache.set(date, d);
    }
    return d;
  }

  distance(a: string, b: string): number {
    return Math.abs(this.day(a) - this.day(b));
  }

  record(method: MatchMethod, statement: StatementItem[], ledger: LedgerItem[]): void {
    for (const s of statement) this.usedStatement.add(s.position);
    for (const l of ledger) this.usedLedger.add(l.key);
    this.matches.push({ method, statement: statement.map((s) => s.position), ledger: ledger.map((l) => l.key) });
  }

  freeStatement(): StatementItem[] {
    return this.statement.filter((s) => !this.usedStatement.has(s.position));
  }

  freeLedger(): LedgerItem[] {
    return this.ledger.filter((l) => !this.usedLedger.has(l.key));
  }
}

/** Pass 1: by payment-instruction reference (one to one, one to many, many to one). */
function matchByReference(st: MatchState): void {
  const byReference = new Map<string, LedgerItem>();
  for (const l of st.ledger) if (l.reference && !byReference.has(l.reference)) byReference.set(l.reference, l);
  const differing = new Map<string, StatementItem[]>();
  for (const s of st.statement) {
    const refs = extractReferences(s.text);
    const found = refs.map((r) => byReference.get(r)).filter((l): l is LedgerItem => l !== undefined && !st.usedLedger.has(l.key));
    if (!found.length || found.length !== refs.length) continue;
    if (sum(found.map((l) => l.fen)) === s.fen) {
      st.record('reference', [s], found);
      continue;
    }
    if (found.length === 1 && sign(found[0].fen) === sign(s.fen)) {
      const list = differing.get(refs[0]) ?? [];
      list.push(s);
      differing.set(refs[0], list);
    } else {
      st.hints.push({ position: s.position, code: 'REFERENCE_AMOUNT_DIFFERS', message: `references ${refs.join(', ')} add up to another amount` });
    }
  }
  for (const [ref, lines] of differing) {
    const l = byReference.get(ref) as LedgerItem;
    if (lines.length >= 2 && !st.usedLedger.has(l.key) && sum(lines.map((s) => s.fen)) === l.fen) {
      st.record('reference-split', lines, [l]);
      continue;
    }
    for (const s of lines) {
      st.hints.push({ position: s.position, code: 'REFERENCE_AMOUNT_DIFFERS', message: `reference ${ref} is an instruction of ${formatFen(l.fen)}, the line is ${formatFen(s.fen)}` });
    }
  }
}

/** Pass 2: one to one by amount within the date window, nearest date first. */
function matchByAmountAndDate(st: MatchState): void {
  const byAmount = new Map<bigint, LedgerItem[]>();
  for (const l of st.freeLedger()) {
    const list = byAmount.get(l.fen);
    if (list) list.push(l);
    else byAmount.set(l.fen, [l]);
  }
  const window = st.options.windowDays;
  for (const s of st.freeStatement()) {
    const candidates = byAmount.get(s.fen);
    if (!candidates) continue;
    let best: LedgerItem | null = null;
    let bestDistance = Infinity;
    for (const l of candidates) {
      if (st.usedLedger.has(l.key)) continue;
      const d = st.distance(s.date, l.date);
      // Candidates are in ledger order, so a strict `<` keeps the earlier one on a tie.
      if (d <= window && d < bestDistance) {
        best = l;
        bestDistance = d;
      }
    }
    if (best) st.record('amount-date', [s], [best]);
  }
}

/**
 * The dates within the window of a date among `dates`, nearest first, then earlier; remembered per
 * date (a statement has a few hundred distinct dates and up to 200,000 lines).
 */
function datesNear(st: MatchState, dates: Iterable<string>): (date: string) => string[] {
  const all = [...dates];
  const memo = new Map<string, string[]>();
  return (date) => {
    let near = memo.get(date);
    if (!near) {
      near = all.filter((d) => st.distance(date, d) <= st.options.windowDays).sort((a, b) => st.distance(date, a) - st.distance(date, b) || (a < b ? -1 : a > b ? 1 : 0));
      memo.set(date, near);
    }
    return near;
  };
}

function groupByDate<T extends { date: string }>(items: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const list = groups.get(item.date);
    if (list) list.push(item);
    else groups.set(item.date, [item]);
  }
  return groups;
}

/** Per date, the free items of each sign with their count and sum, kept as items are used. */
class DateTotals<T extends { date: string; fen: bigint }> {
  private readonly totals = new Map<string, { count: number; sum: bigint }>();
  readonly groups: Map<string, T[]>;

  constructor(items: readonly T[]) {
    this.groups = groupByDate(items);
    for (const item of items) {
      const key = `${item.date}|${sign(item.fen)}`;
      const t = this.totals.get(key) ?? { count: 0, sum: 0n };
      t.count += 1;
      t.sum += item.fen;
      this.totals.set(key, t);
    }
  }

  /** Whether the free items of `date` with the sign of `fen` are ≥ 2 and add up to `fen`. */
  adds(date: string, fen: bigint): boolean {
    const t = this.totals.get(`${date}|${sign(fen)}`);
    return t !== undefined && t.count >= 2 && t.sum === fen;
  }

  use(items: readonly T[]): void {
    for (const item of items) {
      const t = this.totals.get(`${item.date}|${sign(item.fen)}`) as { count: number; sum: bigint };
      t.count -= 1;
      t.sum -= item.fen;
    }
  }
}

/** Pass 3: one statement line = all unmatched same-sign ledger lines of one date. */
function matchBatches(st: MatchState): void {
  const totals = new DateTotals(st.freeLedger());
  const near = datesNear(st, totals.groups.keys());
  for (const s of st.freeStatement()) {
    const date = near(s.date).find((d) => totals.adds(d, s.fen));
    if (date === undefined) continue;
    const members = (totals.groups.get(date) as LedgerItem[]).filter((l) => !st.usedLedger.has(l.key) && sign(l.fen) === sign(s.fen));
    st.record('batch', [s], members);
    totals.use(members);
  }
}

/** Pass 4: one ledger line = all unmatched same-sign statement lines of one date. */
function matchSplits(st: MatchState): void {
  const totals = new DateTotals(st.freeStatement());
  const near = datesNear(st, totals.groups.keys());
  for (const l of st.freeLedger()) {
    const date = near(l.date).find((d) => totals.adds(d, l.fen));
    if (date === undefined) continue;
    const members = (totals.groups.get(date) as StatementItem[]).filter((s) => !st.usedStatement.has(s.position) && sign(s.fen) === sign(l.fen));
    st.record('split', members, [l]);
    totals.use(members);
  }
}

function flagDuplicates(st: MatchState): void {
  const seen = new Map<string, number>();
  for (const s of st.statement) {
    const key = `${s.date}|${s.fen}|${s.text}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, s.position);
    else if (!st.usedStatement.has(s.position)) {
      st.hints.push({ position: s.position, code: 'POSSIBLE_DUPLICATE', message: `repeats line ${first} (same date, amount and text)` });
    }
  }
}

/** Signed fen as a money string: -12345n → "-123.45". */
export function formatFen(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const text = `${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
  return negative ? `-${text}` : text;
}

/** Runs the four passes (see above) on the unmatched lines of both sides. */
export function matchStatement(statement: readonly StatementItem[], ledger: readonly LedgerItem[], options: MatchOptions): MatchResult {
  const st = new MatchState(statement, ledger, options);
  matchByReference(st);
  matchByAmountAndDate(st);
  matchBatches(st);
  matchSplits(st);
  flagDuplicates(st);
  st.hints.sort((a, b) => a.position - b.position);
  return { matches: st.matches, hints: st.hints };
}
