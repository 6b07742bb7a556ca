import { LINE_PROBLEMS } from './reconciliation.errors';
import { formatFen } from './matching';

/**
 * One statement line, checked (RULES §8 "Reconciliation"): dates that exist, an amount to the
 * fen that is not zero, text that can be stored. Amounts are signed integer fen as the bank sees
 * the reserve account: + credited (money in), − debited (money out).
 */
export interface StatementLine {
  /** The file line (CSV, header = its own line number) or the 1-based position in a JSON body. */
  line: number;
  date: string;
  valueDate: string | null;
  fen: bigint;
  balanceFen: bigint | null;
  counterparty: string;
  reference: string;
  memo: string;
}

/** A line's cells by field, as text (CSV) or as sent (JSON). */
export interface RawLine {
  line: number;
  date?: unknown;
  valueDate?: unknown;
  debit?: unknown;
  credit?: unknown;
  amount?: unknown;
  balance?: unknown;
  counterparty?: unknown;
  reference?: unknown;
  memo?: unknown;
}

export interface LineProblem {
  line: number;
  field: string;
  code: string;
  message: string;
  [extra: string]: unknown;
}

export const MAX_TEXT = 500;

// A statement's text field is one line: no control character (C0, DEL, C1), no lone surrogate
// (the same rule as the service's edge applies to query values; the file bypasses the edge's
// UTF-8 reader because it may be GBK).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Why a text field cannot be stored, or null. */
export function textFieldProblem(text: string): string | null {
  if (CONTROL.test(text)) return 'contains a control character';
  if (LONE_SURROGATE.test(text)) return 'is not valid Unicode (a lone UTF-16 surrogate)';
  return null;
}

/**
 * A date as banks write it: 2025-10-10, 2025/10/10, 2025.10.10, 20251010, 2025年10月10日, with an
 * optional time after it ("2025-10-10 14:03:22"); null when it is none of these or does not exist.
 */
export function parseStatementDate(value: string): string | null {
  const m = /^\s*(\d{4})(?:[-/.年]?)(\d{1,2})(?:[-/.月]?)(\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s*$/.exec(value);
  if (!m) return null;
  if (!/[-/.年]/.test(value) && (m[2].length !== 2 || m[3].length !== 2)) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return null;
  return `${m[1]}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * An amount as banks write it, to integer fen: optional sign, optional ¥/￥/CNY, thousands
 * separators in groups of three, at most two decimals and 15 integer digits. "1,020,000.00" →
 * 102000000n; "-25" → -2500n; null when malformed ("1.005", "1e5", "12,34").
 */
export function parseStatementAmount(value: string): bigint | null {
  const m = /^\s*([+-])?\s*(?:¥|￥|CNY|RMB)?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*$/i.exec(value);
  if (!m) return null;
  const integer = m[2].replace(/,/g, '');
  if (integer.length > 15) return null;
  const fen = BigInt(integer) * 100n + BigInt((m[3] ?? '').padEnd(2, '0') || '0');
  return m[1] === '-' ? -fen : fen;
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

class LineChecker {
  readonly problems: LineProblem[] = [];
  constructor(private readonly raw: RawLine) {}

  problem(field: string, code: string, message: string): void {
    this.problems.push({ line: this.raw.line, field, code, message });
  }

  text(field: 'counterparty' | 'reference' | 'memo'): string {
    const v = this.raw[field];
    if (isBlank(v)) return '';
    if (typeof v !== 'string') return (this.problem(field, LINE_PROBLEMS.INVALID_TEXT, `${field} must be text`), '');
    const p = textFieldProblem(v);
    if (p) this.problem(field, LINE_PROBLEMS.INVALID_TEXT, `${field} ${p}`);
    if (v.length > MAX_TEXT) this.problem(field, LINE_PROBLEMS.TEXT_TOO_LONG, `${field} is longer than ${MAX_TEXT} characters`);
    return v.trim();
  }

  date(field: 'date' | 'valueDate', required: boolean): string | null {
    const v = this.raw[field];
    if (isBlank(v)) {
      if (required) this.problem(field, LINE_PROBLEMS.INVALID_DATE, `${field} is missing`);
      return null;
    }
    const d = typeof v === 'string' ? parseStatementDate(v) : null;
    if (!d) this.problem(field, LINE_PROBLEMS.INVALID_DATE, `${field} ${JSON.stringify(String(v).slice(0, 40))} is not a date (2025-10-10, 2025/10/10, 20251010)`);
    return d;
  }

  money(field: 'debit' | 'credit' | 'amount' | 'balance'): bigint | null {
    const v = this.raw[field];
    if (isBlank(v)) return null;
    const fen = typeof v === 'string' ? parseStatementAmount(v) : null;
    if (fen === null) this.problem(field, LINE_PROBLEMS.INVALID_AMOUNT, `${field} ${JSON.stringify(String(v).slice(0, 40))} is not an amount to the fen`);
    return fen;
  }

  /** The signed amount: one signed column, or exactly one of debit (−) and credit (+). */
  signedAmount(): bigint | null {
    const hasPair = this.raw.debit !== undefined || this.raw.credit !== undefined;
    if (!hasPair) {
      const amount = this.money('amount');
      if (amount === null && isBlank(this.raw.amount)) this.problem('amount', LINE_PROBLEMS.NO_AMOUNT, 'the amount is missing');
      return amount;
    }
    const debit = this.money('debit');
    const credit = this.money('credit');
    const used = [debit, credit].filter((v) => v !== null && v !== 0n);
    if (used.length === 2) return (this.problem('debit', LINE_PROBLEMS.BOTH_SIDES, 'both a debit and a credit on one line'), null);
    if (debit !== null && debit < 0n) return (this.problem('debit', LINE_PROBLEMS.INVALID_AMOUNT, 'a debit must not be negative'), null);
    if (credit !== null && credit < 0n) return (this.problem('credit', LINE_PROBLEMS.INVALID_AMOUNT, 'a credit must not be negative'), null);
    if (debit !== null && debit > 0n) return -debit;
    if (credit !== null && credit > 0n) return credit;
    if (debit === null && credit === null && isBlank(this.raw.debit) && isBlank(this.raw.credit)) {
      this.problem('amount', LINE_PROBLEMS.NO_AMOUNT, 'neither a debit nor a credit');
      return null;
    }
    return 0n;
  }
}

/** Checks one raw line; the line or its problems. */
export function checkLine(raw: RawLine, period: { from: string; to: string }): { line: StatementLine | null; problems: LineProblem[] } {
  const c = new LineChecker(raw);
  const date = c.date('date', true);
  const valueDate = c.date('valueDate', false);
  const fen = c.signedAmount();
  const balanceFen = c.money('balance');
  const counterparty = c.text('counterparty');
  const reference = c.text('reference');
  const memo = c.text('memo');
  if (fen === 0n) c.problem('amount', LINE_PROBLEMS.ZERO_AMOUNT, 'the amount is 0.00');
  if (date && (date < period.from || date > period.to)) c.problem('date', LINE_PROBLEMS.DATE_OUTSIDE_PERIOD, `${date} is outside the statement period ${period.from}…${period.to}`);
  if (c.problems.length || date === null || fen === null) return { line: null, problems: c.problems };
  return { line: { line: raw.line, date, valueDate, fen, balanceFen, counterparty, reference, memo }, problems: [] };
}

/**
 * The running balance check: where a line states the balance after it, that balance must be the
 * previous one plus the line's amount. Lines are taken in date order of the file: a newest-first
 * export (first date after the last) is read backwards. Returns the lines in ascending order, the
 * opening balance implied by the first stated balance, the last stated balance, and every mismatch.
 */
export function checkBalances(lines: StatementLine[]): { lines: StatementLine[]; impliedOpening: bigint | null; lastBalance: bigint | null; problems: LineProblem[] } {
  const ordered = lines.length > 1 && lines[0].date > lines[lines.length - 1].date ? [...lines].reverse() : lines;
  const problems: LineProblem[] = [];
  let running: bigint | null = null;
  let impliedOpening: bigint | null = null;
  let cumulative = 0n;
  for (const l of ordered) {
    cumulative += l.fen;
    if (running !== null) running += l.fen;
    if (l.balanceFen === null) continue;
    if (running === null) impliedOpening = l.balanceFen - cumulative;
    else if (running !== l.balanceFen) {
      problems.push({ line: l.line, field: 'balance', code: LINE_PROBLEMS.BALANCE_MISMATCH, message: `balance ${formatFen(l.balanceFen)} ≠ previous balance plus amount = ${formatFen(running)}` });
    }
    running = l.balanceFen;
  }
  return { lines: ordered, impliedOpening, lastBalance: running, problems };
}
