import { DomainError } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import { FAILURE_MESSAGES, MONEY_RULES, checkDecimalString } from '../common/money/money-parse';
import { REPORT_ERRORS, REPORT_ROW_PROBLEMS } from './loans.errors';

/** Asset quality of a loan in a bank report (五级分类). */
export const ASSET_QUALITIES = ['normal', 'special_mention', 'substandard', 'doubtful', 'loss'] as const;
export type AssetQuality = (typeof ASSET_QUALITIES)[number];
const ASSET_QUALITY_SET: ReadonlySet<string> = new Set(ASSET_QUALITIES);

export const REPORT_COLUMNS = ['loanReference', 'outstandingPrincipal', 'repaid', 'assetQuality'] as const;
type Column = (typeof REPORT_COLUMNS)[number];
const COLUMN_SET: ReadonlySet<string> = new Set(REPORT_COLUMNS);

/** One row as received, with the line it came from (CSV: file line, header = 1; JSON: 1-based index). */
export interface RawReportRow {
  line: number;
  values: Record<string, unknown>;
  /** A CSV line with the wrong number of fields. */
  fieldCount?: { expected: number; got: number };
}

/** One problem of one row (REPORT.INVALID_ROWS details). */
export interface RowProblem {
  line: number;
  field: string;
  code: string;
  message: string;
  [extra: string]: unknown;
}

export interface KnownLoan {
  id: string;
  disbursedOn: string | null;
  /** Integer fen (exact), null before disbursement. */
  disbursedFen: bigint | null;
}

/**
 * Integer fen of a money string already checked against MONEY_RULES ("2500000.5" → 250000050n):
 * exact integer arithmetic, no binary floating point and no Decimal allocation per row (the
 * import validates 100,000 rows in memory).
 */
export function fenOf(checked: string): bigint {
  const dot = checked.indexOf('.');
  if (dot < 0) return BigInt(checked + '00');
  return BigInt(checked.slice(0, dot) + checked.slice(dot + 1).padEnd(2, '0'));
}

export interface ValidRows {
  loanIds: string[];
  lines: number[];
  outstanding: string[];
  repaid: string[];
  quality: string[];
  outstandingTotal: Money;
  repaidTotal: Money;
}

/**
 * Validates every row of a report in memory before anything is written, listing every problem of
 * every row (a report is applied all or nothing). Checks: the four fields present and no others;
 * the loan is one of the bank's registered loans, listed once, disbursed by the quarter end;
 * amounts are money strings; outstanding principal ≤ the disbursed amount; asset quality one of
 * normal, special_mention, substandard, doubtful, loss.
 */
export function validateReportRows(
  rows: readonly RawReportRow[],
  loans: ReadonlyMap<string, KnownLoan>,
  quarterEnd: string,
): { problems: RowProblem[]; valid: ValidRows } {
  const problems: RowProblem[] = [];
  const seen = new Map<string, number>();
  const valid: ValidRows = { loanIds: [], lines: [], outstanding: [], repaid: [], quality: [], outstandingTotal: Money.ZERO, repaidTotal: Money.ZERO };
  let outstandingTotal = 0n;
  let repaidTotal = 0n;
  for (const row of rows) {
    const accepted = checkRow(row, { loans, quarterEnd, seen }, problems);
    if (!accepted) continue;
    valid.loanIds.push(accepted.loanId);
    valid.lines.push(row.line);
    valid.outstanding.push(accepted.outstanding);
    valid.repaid.push(accepted.repaid);
    valid.quality.push(accepted.quality);
    outstandingTotal += accepted.outstandingFen;
    repaidTotal += fenOf(accepted.repaid);
  }
  valid.outstandingTotal = Money.fromFen(outstandingTotal);
  valid.repaidTotal = Money.fromFen(repaidTotal);
  return { problems, valid };
}

/** What a row is checked against: the bank's loans, the quarter end, the references seen so far. */
interface RowContext {
  loans: ReadonlyMap<string, KnownLoan>;
  quarterEnd: string;
  /** Loan reference → the line that reported it first. */
  seen: Map<string, number>;
}

/** A row without problems, ready to be written. */
interface AcceptedRow {
  loanId: string;
  outstanding: string;
  outstandingFen: bigint;
  repaid: string;
  quality: string;
}

/**
 * Checks one row, adding its problems to `problems` in a fixed order (fields, loan, amounts, asset
 * quality, outstanding cap); returns the row when it has none.
 */
function checkRow(row: RawReportRow, ctx: RowContext, problems: RowProblem[]): AcceptedRow | null {
  const before = problems.length;
  const { line, values } = row;
  if (row.fieldCount) {
    problems.push({ line, field: '*', code: REPORT_ROW_PROBLEMS.FIELD_COUNT, message: `expected ${row.fieldCount.expected} fields, got ${row.fieldCount.got}` });
    return null;
  }
  for (const key in values) {
    if (!COLUMN_SET.has(key)) problems.push({ line, field: key, code: REPORT_ROW_PROBLEMS.UNKNOWN_FIELD, message: `${key} is not a report field` });
  }
  const loan = checkLoanReference(line, values.loanReference, ctx, problems);
  const amounts = checkAmounts(line, values, problems);
  const quality = values.assetQuality;
  if (typeof quality !== 'string' || !ASSET_QUALITY_SET.has(quality)) {
    problems.push({ line, field: 'assetQuality', code: REPORT_ROW_PROBLEMS.INVALID_ASSET_QUALITY, message: `assetQuality must be one of ${ASSET_QUALITIES.join(', ')}` });
  }
  const outstandingFen = checkOutstandingCap(line, amounts.outstandingPrincipal, loan, problems);
  if (problems.length > before || !loan || outstandingFen === null) return null;
  return {
    loanId: loan.id,
    outstanding: amounts.outstandingPrincipal as string,
    outstandingFen,
    repaid: amounts.repaid as string,
    quality: quality as string,
  };
}

/** The loan a row names: present, listed once, one of the bank's loans, disbursed by the quarter end. */
function checkLoanReference(line: number, ref: unknown, ctx: RowContext, problems: RowProblem[]): KnownLoan | undefined {
  if (typeof ref !== 'string' || ref.length === 0) {
    problems.push({ line, field: 'loanReference', code: REPORT_ROW_PROBLEMS.REQUIRED, message: 'loanReference must be a non-empty string' });
    return undefined;
  }
  const loan = ctx.loans.get(ref);
  const firstLine = ctx.seen.get(ref);
  if (firstLine !== undefined) {
    problems.push({ line, field: 'loanReference', code: REPORT_ROW_PROBLEMS.DUPLICATE_LOAN, message: `loan ${ref} is already reported on line ${firstLine}` });
  } else {
    ctx.seen.set(ref, line);
  }
  if (!loan) {
    problems.push({ line, field: 'loanReference', code: REPORT_ROW_PROBLEMS.LOAN_NOT_FOUND, message: `no registered loan ${ref} of this bank` });
  } else if (!loan.disbursedOn || loan.disbursedOn > ctx.quarterEnd) {
    problems.push({
      line,
      field: 'loanReference',
      code: REPORT_ROW_PROBLEMS.LOAN_NOT_DISBURSED,
      message: `loan ${ref} was not disbursed by the quarter end ${ctx.quarterEnd}`,
    });
  }
  return loan;
}

/** The two amounts that are money strings (MONEY_RULES); a problem for each that is not. */
function checkAmounts(line: number, values: Record<string, unknown>, problems: RowProblem[]): Partial<Record<Column, string>> {
  const amounts: Partial<Record<Column, string>> = {};
  for (const field of ['outstandingPrincipal', 'repaid'] as const) {
    const failure = checkDecimalString(values[field], MONEY_RULES);
    if (failure) {
      problems.push({ line, field, code: failure, message: `${field} ${FAILURE_MESSAGES[failure]}` });
    } else {
      amounts[field] = values[field] as string;
    }
  }
  return amounts;
}

/** The outstanding principal in fen (null when it is not a money string); a problem when above the disbursed amount. */
function checkOutstandingCap(line: number, outstanding: string | undefined, loan: KnownLoan | undefined, problems: RowProblem[]): bigint | null {
  if (outstanding === undefined) return null;
  const fen = fenOf(outstanding);
  const cap = loan?.disbursedFen ?? null;
  if (cap !== null && fen > cap) {
    problems.push({
      line,
      field: 'outstandingPrincipal',
      code: REPORT_ROW_PROBLEMS.OUTSTANDING_ABOVE_DISBURSED,
      message: `outstanding ${outstanding} is above the disbursed amount ${Money.fromFen(cap).toString()}`,
    });
  }
  return fen;
}

function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

/**
 * Parses a report CSV: a header line naming the four columns (any order), then one loan per line;
 * UTF-8, optional BOM, LF or CRLF, RFC 4180 quotes; blank lines are skipped but still counted, so
 * `line` is the file's line number (the header is line 1). A missing or unknown column → 400
 * REPORT.CSV_HEADER.
 */
export function parseReportCsv(text: string): RawReportRow[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split('\n');
  const header = splitCsvLine(lines[0]?.replace(/\r$/, '') ?? '').map((h) => h.trim());
  const missing = REPORT_COLUMNS.filter((c) => !header.includes(c));
  const unknown = header.filter((h) => !(REPORT_COLUMNS as readonly string[]).includes(h));
  const dup = header.filter((h, i) => header.indexOf(h) !== i);
  if (missing.length || unknown.length || dup.length) {
    throw DomainError.invalid(
      REPORT_ERRORS.CSV_HEADER,
      `The first line must name the columns ${REPORT_COLUMNS.join(',')}.`,
      [
        ...missing.map((c) => ({ code: REPORT_ROW_PROBLEMS.MISSING_COLUMN, field: c, message: `column ${c} is missing`, line: 1 })),
        ...unknown.map((c) => ({ code: REPORT_ROW_PROBLEMS.UNKNOWN_COLUMN, field: c, message: `column ${c} is not a report column`, line: 1 })),
        ...dup.map((c) => ({ code: REPORT_ROW_PROBLEMS.DUPLICATE_COLUMN, field: c, message: `column ${c} appears twice`, line: 1 })),
      ],
    );
  }
  const rows: RawReportRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (raw.trim() === '') continue;
    const fields = splitCsvLine(raw);
    const line = i + 1;
    if (fields.length !== header.length) {
      rows.push({ line, values: {}, fieldCount: { expected: header.length, got: fields.length } });
      continue;
    }
    const values: Record<string, unknown> = {};
    for (let j = 0; j < header.length; j++) values[header[j]] = fields[j];
    rows.push({ line, values });
  }
  return rows;
}
