import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';

/** The fixed instant written into XLSX metadata and zip entries, so two exports are byte-identical. */
export const XLSX_FIXED_DATE = new Date('2000-01-01T00:00:00.000Z');

interface ZipLike {
  append(source: unknown, data: { name: string; date?: Date }): unknown;
}

type WorkbookWriterCtor = new (options: Partial<ExcelJS.stream.xlsx.WorkbookStreamWriterOptions>) => ExcelJS.stream.xlsx.WorkbookWriter & {
  zip: ZipLike;
  addThemes(): Promise<void>;
};

/**
 * exceljs's streaming writer stamps every zip entry with "now" (archiver's default), and appends
 * the first entries inside its constructor. `addThemes` is the first thing the constructor does
 * after creating the archive, so overriding it is the earliest point where every append can be
 * given a fixed date.
 */
export class DeterministicWorkbookWriter extends (ExcelJS.stream.xlsx.WorkbookWriter as unknown as WorkbookWriterCtor) {
  override addThemes(): Promise<void> {
    const zip = this.zip;
    const append = zip.append.bind(zip);
    zip.append = (source, data) => append(source, { ...data, date: XLSX_FIXED_DATE });
    return super.addThemes();
  }
}

/**
 * A streaming XLSX workbook writing into `out` whose bytes depend only on what is written to it:
 * fixed metadata dates and zip entry dates, no shared strings (so a cell is never read back as
 * anything but what it was written as). Every XLSX the service writes uses it (ledger and audit-log
 * exports streamed, the tables of xlsx-writer.ts in memory).
 */
export function deterministicWorkbook(out: Writable, author: string, options: { useStyles?: boolean } = {}): ExcelJS.stream.xlsx.WorkbookWriter {
  const workbook = new DeterministicWorkbookWriter({ stream: out, useStyles: options.useStyles ?? false, useSharedStrings: false });
  workbook.creator = author;
  workbook.lastModifiedBy = author;
  workbook.created = XLSX_FIXED_DATE;
  workbook.modified = XLSX_FIXED_DATE;
  return workbook;
}

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Streamed spreadsheets give the event loop a turn (and wait for a full client socket) every this
 * many rows: rendering rows is CPU work, and other requests — /health included — wait behind it.
 * A count, not a time slice, so that the turns fall on the same rows every time: the ledger's
 * export of one book came out 660,154, 660,280 and 660,319 bytes with turns every 1,000 rows,
 * every ~10 ms and every 250 rows (each the same when asked twice) — the same rows must give the
 * same file, whatever the machine's load. 100 rows of a 17-column journal are ~5 ms of rendering
 * on this machine (250 rows of 16 cells: 13 ms).
 */
export const XLSX_ROWS_PER_TURN = 100;
