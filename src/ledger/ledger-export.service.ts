import { Writable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { deterministicWorkbook, XLSX_FIXED_DATE, XLSX_ROWS_PER_TURN } from '../common/format/xlsx-stream';
import { REQUEST_ERRORS } from '../common/errors/common.errors';
import { AMOUNT_FORMAT, CSV_BOM, ExportOptions, amountCell, columnWidth, headerView, headersOf, sheetNameOf } from '../common/format/export-format';
import { ReadReplica } from '../common/database/read-replica';
import { LoopTurns } from '../common/runtime/loop-turns';
import { untilWritable } from '../common/http/until-writable';
import { LedgerQueryService } from './ledger-query.service';
import { CanonicalVersion, recordedAtText } from './domain/canonical';
import { EntryRow, HEAVY_READ_STATEMENT_TIMEOUT_MS, LineRow, STORED_INSTANT_SQL, WALK_BATCH, boundStatements, linesOf, stopIfGone } from './ledger-rows';

export type ExportFormat = 'csv' | 'xlsx';
export type ExportReport = 'journal' | 'trial-balance';

export const JOURNAL_COLUMNS = [
  'book',
  'sequence',
  'entry_id',
  'effective_date',
  'recorded_at',
  'memo',
  'link_type',
  'link_id',
  'reversal_of',
  'line_no',
  'account',
  'debit',
  'credit',
  'prev_hash',
  'entry_hash',
  // What an auditor needs to recompute entry_hash from this row alone (docs/ledger.md "Hash
  // chain"): the entry's canonical-form version and its recordedAt exactly as that version
  // writes it (version 2: the stored instant to the microsecond).
  'canonical_version',
  'canonical_recorded_at',
] as const;

export const TRIAL_BALANCE_COLUMNS = [
  'book',
  'as_of',
  'account',
  'name',
  'type',
  'normal_side',
  'debit',
  'credit',
  'balance',
  'total_debits',
  'total_credits',
  'head_sequence',
  'head_hash',
] as const;

/** Money columns: numbers in `#,##0.00` in XLSX (issue 17), the exact strings in CSV. */
const AMOUNT_COLUMNS: ReadonlySet<string> = new Set(['debit', 'credit', 'balance', 'total_debits', 'total_credits']);

/** Widths (characters) of the columns whose values are wider than their headers. */
const WIDE_COLUMNS: Readonly<Record<string, number>> = {
  entry_id: 38,
  recorded_at: 26,
  memo: 60,
  link_id: 38,
  reversal_of: 38,
  account: 40,
  name: 44,
  prev_hash: 66,
  entry_hash: 66,
  head_hash: 66,
  canonical_recorded_at: 28,
  debit: 18,
  credit: 18,
  balance: 18,
  total_debits: 18,
  total_credits: 18,
};

const SHEET_NAMES = { journal: { en: 'Journal', zh: '序时账' }, 'trial-balance': { en: 'Trial balance', zh: '试算平衡表' } } as const;

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvRow(values: readonly string[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** Re-exported for the ledger's callers and specs; the writer lives in common/format. */
export { XLSX_FIXED_DATE };

/** `work`, or REQUEST.ABORTED as soon as `out` closes or `signal` fires before it settles. */
async function untilSettledOrGone<T>(work: Promise<T>, out: Writable, signal?: AbortSignal): Promise<T> {
  let cleanup = () => undefined as void;
  const left = new Promise<never>((_, reject) => {
    if ((out.destroyed && !out.writableFinished) || signal?.aborted) return reject(gone());
    // 'close' also follows a response that finished normally: only an unfinished one has been cut.
    const onGone = () => {
      if (!out.writableFinished) reject(gone());
    };
    out.once('close', onGone);
    signal?.addEventListener('abort', onGone, { once: true });
    cleanup = () => {
      out.off('close', onGone);
      signal?.removeEventListener('abort', onGone);
    };
  });
  try {
    return await Promise.race([work, left]);
  } finally {
    cleanup();
    work.catch(() => undefined);
    left.catch(() => undefined);
  }
}

/** Writes to a stream, waiting while its buffer is full (constant memory); rejects when the client has gone. */
async function write(out: Writable, chunk: string, signal?: AbortSignal): Promise<void> {
  if (out.destroyed || out.writableEnded || signal?.aborted) throw gone();
  if (!out.write(chunk)) await untilWritable(out, gone, signal);
}

function gone(): DomainError {
  return DomainError.invalid(REQUEST_ERRORS.ABORTED, 'The client went away; the export was stopped.');
}

/**
 * Auditor exports (issue #4 item 8): the journal (one row per line, with each entry's hash and
 * previous hash) and the trial balance, as CSV or XLSX, streamed. The journal is read in keyset
 * batches of sequence ranges inside one repeatable-read snapshot, up to the head as it stood when
 * the export began, so memory stays constant and the file is one consistent cut.
 */
@Injectable()
export class LedgerExportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: LedgerQueryService,
    private readonly replica: ReadReplica,
  ) {}

  /** See HEAVY_READ_STATEMENT_TIMEOUT_MS (ledger-rows.ts); a property so that a test can shorten it. */
  statementTimeoutMs = HEAVY_READ_STATEMENT_TIMEOUT_MS;

  /**
   * Streams the export into `out`. When the client goes away (`signal` fires, or `out` is closed
   * or destroyed) it stops reading at the next batch or write, rejects with REQUEST.ABORTED and
   * the REPEATABLE READ transaction is rolled back at once, giving its connection back.
   */
  async export(
    book: string,
    report: ExportReport,
    format: ExportFormat,
    asOf: string | null,
    out: Writable,
    signal: AbortSignal | undefined,
    onReady: (filename: string) => void,
    options: ExportOptions = { lang: 'en', bom: false },
  ): Promise<void> {
    await this.queries.book(book);
    stopIfGone(signal);
    // On the replica when this request was routed there (read-replica.ts).
    await (this.replica.routedSource() ?? this.dataSource).transaction('REPEATABLE READ', async (m) => {
      await boundStatements(m, this.statementTimeoutMs);
      const head = await this.queries.book(book, m);
      const name = report === 'journal' ? `ledger-${book}-journal-${head.lastSequence}` : `ledger-${book}-trial-balance-${asOf ?? 'current'}-${head.lastSequence}`;
      onReady(`${name}.${format}`);
      const rows = report === 'journal' ? this.journalRows(m, book, head.lastSequence, out, signal) : this.trialBalanceRows(m, book, asOf);
      const header = report === 'journal' ? JOURNAL_COLUMNS : TRIAL_BALANCE_COLUMNS;
      if (format === 'csv') await this.writeCsv(out, header, rows, signal, options);
      else await this.writeXlsx(out, sheetNameOf(SHEET_NAMES[report], options.lang), header, rows, signal, options);
    });
  }

  private async *journalRows(m: EntityManager, book: string, through: number, out: Writable, signal: AbortSignal | undefined): AsyncGenerator<string[]> {
    for (let from = 1; from <= through; from += WALK_BATCH) {
      // Before each batch: a client that has gone gets nothing more read for it.
      stopIfGone(signal);
      if (out.destroyed) throw gone();
      const to = Math.min(through, from + WALK_BATCH - 1);
      const entries = (await m.query(
        `SELECT e.id, e.book, e.sequence, e.effective_date, e.recorded_at, e.memo, e.link_type, e.link_id, e.reversal_of, e.prev_hash, e.hash,
                e.canonical_version, ${STORED_INSTANT_SQL} AS recorded_text
           FROM ledger_entries e WHERE e.book = $1 AND e.sequence BETWEEN $2 AND $3 ORDER BY e.sequence`,
        [book, from, to],
      )) as (EntryRow & { canonical_version: number; recorded_text: string })[];
      const lines = await linesOf(m, entries.map((e) => e.id));
      for (const e of entries) {
        for (const l of lines.get(e.id) ?? ([] as LineRow[])) {
          yield [
            e.book,
            String(e.sequence),
            e.id,
            e.effective_date,
            e.recorded_at.toISOString(),
            e.memo,
            e.link_type ?? '',
            e.link_id ?? '',
            e.reversal_of ?? '',
            String(l.line_no),
            l.code,
            l.side === 'D' ? l.amount : '',
            l.side === 'C' ? l.amount : '',
            e.prev_hash,
            e.hash,
            String(e.canonical_version),
            recordedAtText(Number(e.canonical_version) as CanonicalVersion, e.recorded_text),
          ];
        }
      }
    }
  }

  private async *trialBalanceRows(m: EntityManager, book: string, asOf: string | null): AsyncGenerator<string[]> {
    const tb = await this.queries.trialBalance(book, asOf, m);
    const common = (account: string, name: string, type: string, side: string) => [book, asOf ?? '', account, name, type, side];
    for (const r of tb.rows) {
      yield [
        ...common(r.account, r.name, r.type, r.normalSide),
        r.debit.toString(),
        r.credit.toString(),
        r.balance.toString(),
        r.totalDebits.toString(),
        r.totalCredits.toString(),
        String(tb.headSequence),
        tb.headHash,
      ];
    }
    yield [
      ...common('TOTAL', '', '', ''),
      tb.totals.debit.toString(),
      tb.totals.credit.toString(),
      '',
      tb.totals.totalDebits.toString(),
      tb.totals.totalCredits.toString(),
      String(tb.headSequence),
      tb.headHash,
    ];
  }

  private async writeCsv(out: Writable, header: readonly string[], rows: AsyncIterable<string[]>, signal: AbortSignal | undefined, options: ExportOptions): Promise<void> {
    let buffer = (options.bom ? CSV_BOM : '') + csvRow(headersOf(header, options.lang));
    const turns = new LoopTurns();
    for await (const row of rows) {
      buffer += csvRow(row);
      if (buffer.length >= 64 * 1024 || turns.due) {
        await write(out, buffer, signal);
        buffer = '';
        await turns.turn();
      }
    }
    if (buffer) await write(out, buffer, signal);
    out.end();
  }

  /**
   * Amounts are number cells in `#,##0.00` (issue 17: SUM works in Excel; two-decimal values
   * below 10^13 are exact in a double to the fen); every other value, hashes and sequence numbers
   * included, is a text cell holding the exact string. Nothing is ever a formula, so a memo cannot
   * inject one. Header bold and frozen, columns sized.
   */
  private async writeXlsx(
    out: Writable,
    sheetName: string,
    header: readonly string[],
    rows: AsyncIterable<string[]>,
    signal: AbortSignal | undefined,
    options: ExportOptions,
  ): Promise<void> {
    const workbook = deterministicWorkbook(out, 'reserve-fund ledger', { useStyles: true });
    const sheet = workbook.addWorksheet(sheetName, headerView());
    const amounts = header.map((c) => AMOUNT_COLUMNS.has(c));
    const titles = headersOf(header, options.lang);
    sheet.columns = header.map((c, i) => ({ key: c, width: columnWidth(titles[i], WIDE_COLUMNS[c] ?? 12), style: amounts[i] ? { numFmt: AMOUNT_FORMAT } : {} }));
    const head = sheet.addRow(titles);
    head.font = { bold: true };
    head.commit();
    // Rendering rows is the CPU-heavy part: every XLSX_ROWS_PER_TURN rows the loop gets a turn
    // (other requests and /health go on; the zip stream flushes) and a full client socket is
    // waited for, so memory stays bounded however long the journal is. Counted in rows, not time,
    // so the turns fall on the same rows every time and the same rows give the same file.
    let pending = 0;
    for await (const row of rows) {
      sheet.addRow(row.map((v, i) => (amounts[i] ? amountCell(v) : v))).commit();
      if (++pending >= XLSX_ROWS_PER_TURN) {
        pending = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
        await untilWritable(out, gone, signal);
      }
    }
    sheet.commit();
    // The zip's end is written to `out`: when the client has gone it never finishes.
    await untilSettledOrGone(workbook.commit(), out, signal);
  }
}
