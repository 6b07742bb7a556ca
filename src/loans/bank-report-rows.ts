import { Options as ParseOptions, Parser, parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
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
  /** The CSV cannot be read from this line on (an unclosed quote): the parser's reason. */
  malformed?: string;
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
 * Validates a report's rows, listing every problem of every row (a report is applied all or
 * nothing). Checks: the four fields present and no others; the loan is one of the bank's
 * registered loans, listed once, disbursed by the quarter end; amounts are money strings;
 * outstanding principal ≤ the disbursed amount; asset quality one of normal, special_mention,
 * substandard, doubtful, loss.
 *
 * Rows come in chunks (a CSV is read as it arrives, bank-reports.service.ts), each with the loans
 * it names: `check` returns the chunk's rows without problems, ready to be written, and keeps the
 * problems, the references seen (a loan listed twice in different chunks is still found) and the
 * exact totals across chunks. Memory: the references seen and the problems, not the rows.
 */
export class ReportRowsChecker {
  readonly problems: RowProblem[] = [];
  rows = 0;
  private readonly seen = new Map<string, number>();
  private outstandingFen = 0n;
  private repaidFen = 0n;

  constructor(private readonly quarterEnd: string) {}

  check(rows: readonly RawReportRow[], loans: ReadonlyMap<string, KnownLoan>): ValidRows {
    const valid: ValidRows = { loanIds: [], lines: [], outstanding: [], repaid: [], quality: [], outstandingTotal: Money.ZERO, repaidTotal: Money.ZERO };
    let outstandingTotal = 0n;
    let repaidTotal = 0n;
    const ctx: RowContext = { loans, quarterEnd: this.quarterEnd, seen: this.seen };
    for (const row of rows) {
      this.rows += 1;
      const accepted = checkRow(row, ctx, this.problems);
      if (!accepted) continue;
      valid.loanIds.push(accepted.loanId);
      valid.lines.push(row.line);
      valid.outstanding.push(accepted.outstanding);
      valid.repaid.push(accepted.repaid);
      valid.quality.push(accepted.quality);
      outstandingTotal += accepted.outstandingFen;
      repaidTotal += fenOf(accepted.repaid);
    }
    this.outstandingFen += outstandingTotal;
    this.repaidFen += repaidTotal;
    valid.outstandingTotal = Money.fromFen(outstandingTotal);
    valid.repaidTotal = Money.fromFen(repaidTotal);
    return valid;
  }

  /** Totals of every accepted row so far. */
  get totals(): { outstanding: Money; repaid: Money } {
    return { outstanding: Money.fromFen(this.outstandingFen), repaid: Money.fromFen(this.repaidFen) };
  }
}

/** Every row at once (see ReportRowsChecker). */
export function validateReportRows(
  rows: readonly RawReportRow[],
  loans: ReadonlyMap<string, KnownLoan>,
  quarterEnd: string,
): { problems: RowProblem[]; valid: ValidRows } {
  const checker = new ReportRowsChecker(quarterEnd);
  const valid = checker.check(rows, loans);
  return { problems: checker.problems, valid };
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
  if (row.malformed !== undefined) {
    problems.push({ line, field: '*', code: REPORT_ROW_PROBLEMS.MALFORMED_CSV, message: `the CSV cannot be read from this line on: ${row.malformed}` });
    return null;
  }
  if (row.fieldCount) {
    problems.push({ line, field: '*', code: REPORT_ROW_PROBLEMS.FIELD_COUNT, message: `expected ${row.fieldCount.expected} fields, got ${row.fieldCount.got}` });
    return null;
  }
  for (const key in values) {
    if (!COLUMN_SET.has(key)) problems.push({ line, field: key, code: REPORT_ROW_PROBLEMS.UNKNOWN_FIELD, message: `${key} is not a report field` });
  }
  const loan = checkLoanReference(line, values.loanReference, ctx, problems);
  const amounts = checkAmounts(line, values, problems);
  const quality = typeof values.assetQuality === 'string' ? ((Object.hasOwn(QUALITY_ALIASES, values.assetQuality.trim()) ? QUALITY_ALIASES[values.assetQuality.trim()] : undefined) ?? values.assetQuality) : values.assetQuality;
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

/**
 * How a report CSV is read (csv-parse, RFC 4180): UTF-8 with an optional BOM, LF or CRLF on any
 * line, quotes where needed (a stray quote inside an unquoted field is kept as text), rows with
 * the wrong number of fields kept (reported as FIELD_COUNT). Empty lines come as records of one
 * empty field, skipped by rowOf; lines are counted here (LineCounter) rather than with csv-parse's
 * `info`, which doubles the parsing time.
 */
const CSV_OPTIONS: ParseOptions = {
  bom: true,
  record_delimiter: ['\r\n', '\n'],
  relax_column_count: true,
  relax_quotes: true,
};

/** The file line of each record: one line, plus the line breaks inside its quoted fields. */
class LineCounter {
  private next = 1;

  lineOf(record: readonly string[]): number {
    const line = this.next;
    let breaks = 0;
    for (const field of record) if (field.includes('\n')) breaks += field.split('\n').length - 1;
    this.next += 1 + breaks;
    return line;
  }
}

/**
 * The Chinese headers a bank's spreadsheet may carry (the same words the exports write in zh-CN,
 * issue 17 item 3, plus the usual synonyms), mapped to the API's column names.
 */
const HEADER_ALIASES: Readonly<Record<string, string>> = {
  贷款编号: 'loanReference',
  贷款参考号: 'loanReference',
  借据号: 'loanReference',
  未偿本金: 'outstandingPrincipal',
  贷款余额: 'outstandingPrincipal',
  本金余额: 'outstandingPrincipal',
  已还本金: 'repaid',
  本期还款: 'repaid',
  还款金额: 'repaid',
  五级分类: 'assetQuality',
  资产质量: 'assetQuality',
  资产分类: 'assetQuality',
};

/** The five-tier classification (五级分类) in Chinese, as banks write it. */
const QUALITY_ALIASES: Readonly<Record<string, string>> = { 正常: 'normal', 关注: 'special_mention', 次级: 'substandard', 可疑: 'doubtful', 损失: 'loss' };

/** The header's column names (Chinese ones mapped); 400 REPORT.CSV_HEADER naming every missing, unknown or repeated column. */
function checkHeader(record: readonly string[]): string[] {
  const header = record.map((h) => (Object.hasOwn(HEADER_ALIASES, h.trim()) ? HEADER_ALIASES[h.trim()] : h.trim()));
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
  return header;
}

/** One data record as a row, or null for a line of blanks only (skipped, as an empty line is). */
function rowOf(header: readonly string[], record: readonly string[], line: number): RawReportRow | null {
  if (record.length === 1 && record[0].trim() === '') return null;
  if (record.length !== header.length) return { line, values: {}, fieldCount: { expected: header.length, got: record.length } };
  const values: Record<string, unknown> = {};
  for (let j = 0; j < header.length; j++) values[header[j]] = record[j];
  return { line, values };
}

type CsvRecord = string[];

/** The line a csv-parse error points at. */
function errorLine(error: unknown, fallback: number): number {
  const lines = (error as { lines?: unknown }).lines;
  return typeof lines === 'number' && lines > 0 ? lines : fallback;
}

/**
 * Reads a report CSV as it arrives (a stream of text) and yields its rows in chunks of
 * `chunkSize`, each with its file line (the header is line 1). A wrong header → 400
 * REPORT.CSV_HEADER at once; a CSV that cannot be read on (an unclosed quote) ends with a row
 * marked `malformed`, reported with the other problems. Memory: one chunk.
 */
export async function* readReportCsv(text: NodeJS.ReadableStream, chunkSize: number): AsyncGenerator<RawReportRow[]> {
  const parser = parse(CSV_OPTIONS);
  const lines = new LineCounter();
  let header: string[] | null = null;
  let lastLine = 1;
  try {
    for await (const batch of recordsOf(text, parser, chunkSize)) {
      const rows: RawReportRow[] = [];
      for (const record of batch.records) {
        lastLine = lines.lineOf(record);
        if (!header) {
          header = checkHeader(record);
          continue;
        }
        const row = rowOf(header, record, lastLine);
        if (row) rows.push(row);
      }
      if (batch.error !== undefined) {
        // A refusal of the text itself (too large, not UTF-8, a NUL) is the edge's answer.
        if (batch.error instanceof DomainError) throw batch.error;
        if (!header) checkHeader([]);
        const reason = batch.error instanceof Error ? batch.error.message : String(batch.error);
        rows.push({ line: errorLine(batch.error, lastLine + 1), values: {}, malformed: reason });
      }
      if (rows.length) yield rows;
    }
  } finally {
    text.unpipe(parser);
  }
  if (!header) checkHeader([]);
}

/**
 * The parser's records in batches of about `size`, then — if it failed — its error with the
 * records it gave before (a stream's async iterator would drop those). The text is paused while a
 * batch waits to be taken.
 */
async function* recordsOf(text: NodeJS.ReadableStream, parser: Parser, size: number): AsyncGenerator<{ records: CsvRecord[]; error?: unknown }> {
  let pending: CsvRecord[] = [];
  let done = false;
  let failure: unknown;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  parser.on('data', (r: CsvRecord) => {
    pending.push(r);
    if (pending.length >= size) {
      parser.pause();
      notify();
    }
  });
  parser.once('end', () => {
    done = true;
    notify();
  });
  parser.once('error', (error: unknown) => {
    failure ??= error;
    done = true;
    notify();
  });
  const onTextError = (error: unknown) => {
    failure ??= error;
    done = true;
    notify();
  };
  text.once('error', onTextError);
  text.pipe(parser);
  try {
    for (;;) {
      if (pending.length < size && !done) await new Promise<void>((resolve) => (wake = resolve));
      const records = pending;
      pending = [];
      if (done) {
        yield failure === undefined ? { records } : { records, error: failure };
        return;
      }
      yield { records };
      parser.resume();
    }
  } finally {
    text.removeListener('error', onTextError);
  }
}

/**
 * The same for a CSV held whole (benchmarks, unit specs): every row at once. A wrong header → 400
 * REPORT.CSV_HEADER.
 */
export function parseReportCsv(text: string): RawReportRow[] {
  let records: CsvRecord[];
  try {
    records = parseSync(text, CSV_OPTIONS) as unknown as CsvRecord[];
  } catch (error) {
    // Nothing can be read past an unclosed quote: the header still decides first.
    const firstLine = text.replace(/^\ufeff/, '').split(/\r?\n/, 1)[0];
    checkHeader((parseSync(firstLine, { relax_quotes: true, relax_column_count: true }) as unknown as string[][])[0] ?? []);
    return [{ line: errorLine(error, 2), values: {}, malformed: error instanceof Error ? error.message : String(error) }];
  }
  const lines = new LineCounter();
  const header = checkHeader(records.length ? (lines.lineOf(records[0]), records[0]) : []);
  const rows: RawReportRow[] = [];
  for (const record of records.slice(1)) {
    const row = rowOf(header, record, lines.lineOf(record));
    if (row) rows.push(row);
  }
  return rows;
}
