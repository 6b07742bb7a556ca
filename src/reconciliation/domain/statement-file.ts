import { CsvError, parse } from 'csv-parse/sync';
import { DomainError, ErrorDetail } from '../../common/errors/domain-error';
import { isValidIsoDate } from '../../common/calendar/iso-date';
import { SIGNED_MONEY_RULES, checkDecimalString } from '../../common/money/money-parse';
import { formatFen } from './matching';
import { LINE_PROBLEMS, STATEMENT_ERRORS } from './reconciliation.errors';
import { ColumnMapping, resolveColumns, StatementField } from './statement-columns';
import { checkBalances, checkLine, LineProblem, RawLine, StatementLine, textFieldProblem } from './statement-lines';

/**
 * A bank statement as received (RULES §8 "Reconciliation"; R 第二十一条), parsed and checked as a
 * whole before anything is stored: every bad line is listed (400 STATEMENT.INVALID_LINES, at most
 * {@link MAX_PROBLEMS} of them), and opening + Σ lines must equal closing (422 STATEMENT.UNBALANCED).
 */
export const MAX_LINES = 200_000;
export const MAX_PROBLEMS = 1000;
/** Lines before the header that an export may carry (account name, period, …). */
const MAX_PREAMBLE = 20;

export interface StatementParams {
  bankCode: string;
  from: string;
  to: string;
  /** Signed money strings; when absent, implied by the balance column. */
  openingBalance?: string | null;
  closingBalance?: string | null;
  /**
   * Which of the bank's reserve accounts the statement is of, by its number; absent: the bank's
   * current account (after a move, an older statement names the closed account; docs/reserve-accounts.md).
   */
  accountNumber?: string;
}

export interface ParsedStatement {
  params: StatementParams;
  lines: StatementLine[];
  openingFen: bigint;
  closingFen: bigint;
}

function fail(code: string, message: string, details: ErrorDetail[] = []): never {
  throw DomainError.invalid(code, message, details);
}

/** Checks the statement's own fields (account, period, balances); every problem at once. */
export function checkParams(raw: Record<string, unknown>): StatementParams {
  const problems: ErrorDetail[] = [];
  const { bankCode, from, to, openingBalance, closingBalance, accountNumber } = raw;
  if (typeof bankCode !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(bankCode)) {
    problems.push({ field: 'bankCode', code: 'INVALID_CODE', message: 'bankCode must be a bank code (letters, digits, "-", "_")' });
  }
  for (const [field, v] of [['from', from], ['to', to]] as const) {
    if (!isValidIsoDate(v)) problems.push({ field, code: 'INVALID_DATE', message: `${field} must be a real date written YYYY-MM-DD` });
  }
  if (isValidIsoDate(from) && isValidIsoDate(to) && from > to) problems.push({ field: 'to', code: 'PERIOD_REVERSED', message: '`from` must not be after `to`' });
  for (const [field, v] of [['openingBalance', openingBalance], ['closingBalance', closingBalance]] as const) {
    if (v === undefined || v === null) continue;
    const failure = checkDecimalString(v, SIGNED_MONEY_RULES);
    if (failure) problems.push({ field, code: failure, message: `${field} must be a money string such as "1825230.00"` });
  }
  if (accountNumber !== undefined && (typeof accountNumber !== 'string' || !/^[0-9]{6,32}$/.test(accountNumber))) {
    problems.push({ field: 'accountNumber', code: 'INVALID_ACCOUNT_NUMBER', message: 'accountNumber must be 6 to 32 digits' });
  }
  if (problems.length) fail(STATEMENT_ERRORS.INVALID_PARAMS, `The statement's fields are invalid: ${problems.map((p) => p.message).join('; ')}.`, problems);
  // Only the checked fields: nothing else a form or body carries reaches the service.
  return {
    bankCode: bankCode as string,
    from: from as string,
    to: to as string,
    ...(openingBalance !== undefined ? { openingBalance: openingBalance as string | null } : {}),
    ...(closingBalance !== undefined ? { closingBalance: closingBalance as string | null } : {}),
    ...(accountNumber !== undefined ? { accountNumber: accountNumber as string } : {}),
  };
}

const TOTAL_WORD = /^(本页合计|本页小计|合计|总计|小计|total|subtotal|grand total)[:：]?$/i;

/** A footer line of totals: its date cell is the word, or empty with a cell that is only the word. */
function isTotalLine(date: string, record: readonly string[]): boolean {
  const d = date.trim();
  if (TOTAL_WORD.test(d) || /^(本页合计|合计|总计)/.test(d)) return true;
  return d === '' && record.some((c) => TOTAL_WORD.test(c.trim()));
}

const CSV_OPTIONS = { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, max_record_size: 64 * 1024 };

/**
 * csv-parse, with each record's file line. Its `info` option costs three times the parse itself
 * (an object per record; 1.3 s for 100,000 lines here), so when no quote can carry a line break
 * (no `"` in the text) the line numbers are those of the non-blank lines, counted directly.
 */
function parseWithLines(text: string): { record: string[]; info: { lines: number } }[] {
  if (text.includes('"')) return parse(text, { ...CSV_OPTIONS, info: true }) as never;
  const records = parse(text, CSV_OPTIONS) as string[][];
  const lineNumbers: number[] = [];
  const raw = text.split('\n');
  for (let i = 0; i < raw.length; i++) if (raw[i].trim() !== '') lineNumbers.push(i + 1);
  return records.map((record, i) => ({ record, info: { lines: lineNumbers[i] ?? i + 1 } }));
}

/** CSV text → raw lines by field, the header found among the first lines. */
export function csvLines(text: string, mapping: ColumnMapping = {}): RawLine[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseWithLines(text);
  } catch (error) {
    const line = error instanceof CsvError ? Number((error as CsvError & { lines?: number }).lines ?? 0) : 0;
    const reason = error instanceof Error ? error.message.slice(0, 200) : 'unreadable';
    return fail(STATEMENT_ERRORS.INVALID_LINES, `The CSV cannot be read: ${reason}`, [{ line, field: 'body', code: 'CSV_SYNTAX', message: reason }]);
  }
  if (!records.length) fail(STATEMENT_ERRORS.EMPTY, 'The statement is empty.');
  let headerAt = -1;
  let resolved: ReturnType<typeof resolveColumns> | null = null;
  for (let i = 0; i < Math.min(records.length, MAX_PREAMBLE); i++) {
    const r = resolveColumns(records[i].record, mapping);
    if (i === 0) resolved = r;
    if (!r.problems.length) {
      headerAt = i;
      resolved = r;
      break;
    }
  }
  if (headerAt < 0 || !resolved) {
    const problems = (resolved as ReturnType<typeof resolveColumns>).problems;
    fail(STATEMENT_ERRORS.HEADER, 'No header line names the statement columns (交易日期/date and 金额/amount or 借方发生额/贷方发生额, debit/credit).', problems.map((p) => ({ ...p, line: 1 })));
  }
  const header = records[headerAt].record;
  const columns = resolved.columns;
  const rows: RawLine[] = [];
  for (let i = headerAt + 1; i < records.length; i++) {
    const { record, info } = records[i];
    if (record.length !== header.length) {
      rows.push({ line: info.lines, date: null, amount: `field count ${record.length} ≠ ${header.length}` });
      continue;
    }
    const raw: RawLine = { line: info.lines };
    for (const [field, index] of Object.entries(columns) as [StatementField, number][]) raw[field] = record[index];
    // Total lines at the foot of an export are skipped: the date cell says 合计 / 总计 / total, or it
    // is empty and a cell holds only that word. A line whose date is wrong and whose counterparty
    // merely starts with such a word ("TotalEnergies", "合计转账") is a bad line, listed, not skipped.
    if (typeof raw.date === 'string' && isTotalLine(raw.date, record)) continue;
    rows.push(raw);
  }
  return rows;
}

/** A JSON body's `lines` → raw lines (an element that is not an object is a bad line). */
export function jsonLines(lines: unknown): RawLine[] {
  if (!Array.isArray(lines)) fail(STATEMENT_ERRORS.INVALID_PARAMS, 'lines must be an array of statement lines.', [{ field: 'lines', code: 'NOT_AN_ARRAY', message: 'lines must be an array' }]);
  return lines.map((l: unknown, i) => {
    if (l === null || typeof l !== 'object' || Array.isArray(l)) return { line: i + 1, date: null, amount: null, notAnObject: true } as RawLine;
    const o = l as Record<string, unknown>;
    return { line: i + 1, date: o.date, valueDate: o.valueDate, amount: o.amount, balance: o.balance, counterparty: o.counterparty, reference: o.reference, memo: o.memo, unknown: Object.keys(o).filter((k) => !JSON_LINE_KEYS.has(k)) } as RawLine;
  });
}
const JSON_LINE_KEYS: ReadonlySet<string> = new Set(['date', 'valueDate', 'amount', 'balance', 'counterparty', 'reference', 'memo']);

function shapeProblems(raw: RawLine): LineProblem[] {
  const r = raw as RawLine & { notAnObject?: boolean; unknown?: string[] };
  if (r.notAnObject) return [{ line: raw.line, field: 'line', code: LINE_PROBLEMS.NOT_AN_OBJECT, message: 'a line must be an object' }];
  if (typeof raw.amount === 'string' && raw.amount.startsWith('field count')) return [{ line: raw.line, field: 'line', code: LINE_PROBLEMS.FIELD_COUNT, message: raw.amount }];
  return (r.unknown ?? []).slice(0, 5).map((k) => ({ line: raw.line, field: k.slice(0, 64), code: 'UNKNOWN_FIELD', message: `property ${textFieldProblem(k) ? '(unprintable)' : k.slice(0, 64)} should not exist` }));
}

/** Checks every line, then the balances, then opening + Σ = closing. */
export function checkStatement(params: StatementParams, raw: RawLine[]): ParsedStatement {
  if (!raw.length) fail(STATEMENT_ERRORS.EMPTY, 'The statement has no lines.');
  if (raw.length > MAX_LINES) fail(STATEMENT_ERRORS.TOO_MANY_LINES, `A statement carries at most ${MAX_LINES} lines; this one has ${raw.length}. Split the period.`);
  const problems: LineProblem[] = [];
  const lines: StatementLine[] = [];
  for (const r of raw) {
    const shape = shapeProblems(r);
    if (shape.length) {
      problems.push(...shape);
      continue;
    }
    const checked = checkLine(r, params);
    if (checked.line) lines.push(checked.line);
    else problems.push(...checked.problems);
  }
  const balances = checkBalances(lines);
  problems.push(...balances.problems);
  if (problems.length) {
    problems.sort((a, b) => a.line - b.line);
    const count = new Set(problems.map((p) => p.line)).size;
    fail(STATEMENT_ERRORS.INVALID_LINES, `${count} of ${raw.length} statement lines are invalid; nothing was stored.`, problems.slice(0, MAX_PROBLEMS));
  }
  return withBalances(params, balances.lines, balances.impliedOpening, balances.lastBalance);
}

function toFen(money: string): bigint {
  const negative = money.startsWith('-');
  const [i, d = ''] = (negative ? money.slice(1) : money).split('.');
  const fen = BigInt(i) * 100n + BigInt(d.padEnd(2, '0') || '0');
  return negative ? -fen : fen;
}

function withBalances(params: StatementParams, lines: StatementLine[], impliedOpening: bigint | null, lastBalance: bigint | null): ParsedStatement {
  const total = lines.reduce((a, l) => a + l.fen, 0n);
  const given = { opening: params.openingBalance ? toFen(params.openingBalance) : null, closing: params.closingBalance ? toFen(params.closingBalance) : null };
  const opening = given.opening ?? impliedOpening ?? (given.closing !== null ? given.closing - total : null);
  const closing = given.closing ?? lastBalance ?? (opening !== null ? opening + total : null);
  if (opening === null || closing === null) {
    fail(STATEMENT_ERRORS.INVALID_PARAMS, 'openingBalance or closingBalance is required when the statement has no balance column.', [
      { field: 'openingBalance', code: 'REQUIRED', message: 'openingBalance (or a balance column) is required' },
    ]);
  }
  const problems: ErrorDetail[] = [];
  if (impliedOpening !== null && given.opening !== null && impliedOpening !== given.opening) {
    problems.push({ field: 'openingBalance', code: 'OPENING_MISMATCH', message: `openingBalance ${formatFen(given.opening)} ≠ ${formatFen(impliedOpening)} implied by the first balance` });
  }
  if (lastBalance !== null && given.closing !== null && lastBalance !== given.closing) {
    problems.push({ field: 'closingBalance', code: 'CLOSING_MISMATCH', message: `closingBalance ${formatFen(given.closing)} ≠ the last balance ${formatFen(lastBalance)}` });
  }
  if (opening + total !== closing) {
    problems.push({ field: 'closingBalance', code: 'UNBALANCED', message: `opening ${formatFen(opening)} + lines ${formatFen(total)} = ${formatFen(opening + total)} ≠ closing ${formatFen(closing)}` });
  }
  if (problems.length) throw DomainError.rule(STATEMENT_ERRORS.UNBALANCED, `The statement does not add up: ${problems.map((p) => p.message).join('; ')}.`, problems);
  return { params, lines, openingFen: opening, closingFen: closing };
}
