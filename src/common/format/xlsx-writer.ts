import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { AMOUNT_FORMAT, ExportLang, RATE_FORMAT, amountCell, columnWidth, headerOf, headerView, sheetNameOf } from './export-format';

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


/** A column of an XLSX table: its key (the English header), what it holds, and its width. */
export interface XlsxColumn {
  key: string;
  /** amount: a money string written as a number in `#,##0.00`; rate: a rate string as a number in `0.00%`. */
  kind?: 'amount' | 'rate' | 'text';
  width?: number;
  /** The header in both languages, when it is not the key (and its entry in ZH_HEADERS). */
  header?: { en: string; zh: string };
}

/** One sheet: its name in both languages, its columns and its rows (values as the API gives them). */
export interface XlsxTable {
  sheet: { en: string; zh: string };
  columns: XlsxColumn[];
  rows: (string | number | null | undefined)[][];
}

function cellOf(value: string | number | null | undefined, kind: XlsxColumn['kind']): string | number | null {
  if (value === undefined || value === null) return null;
  if ((kind === 'amount' || kind === 'rate') && typeof value === 'string') return amountCell(value) ?? value;
  return value;
}

/**
 * Tables as one XLSX workbook (issue 17 item 3): headers in the language asked for, bold and
 * frozen; columns sized; money as number cells in `#,##0.00` and rates in `0.00%`, so SUM works;
 * every other value a text or number cell as given, never a formula. Written with the
 * deterministic streaming writer, so the same tables give the same bytes.
 */
export async function xlsxOf(tables: readonly XlsxTable[], lang: ExportLang): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  const workbook = new DeterministicWorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'reserve-fund';
  workbook.lastModifiedBy = 'reserve-fund';
  workbook.created = XLSX_FIXED_DATE;
  workbook.modified = XLSX_FIXED_DATE;
  const used = new Set<string>();
  for (const t of tables) {
    let name = sheetNameOf(t.sheet, lang).replace(/[\\/?*[\]:]/g, ' ');
    while (used.has(name)) name = `${name.slice(0, 28)} ${used.size}`;
    used.add(name);
    const sheet = workbook.addWorksheet(name, headerView());
    const titles = t.columns.map((c) => (c.header ? (lang === 'zh-CN' ? c.header.zh : c.header.en) : headerOf(c.key, lang)));
    sheet.columns = t.columns.map((c, i) => ({
      key: c.key,
      width: columnWidth(titles[i], c.width ?? 12),
      style: c.kind === 'amount' ? { numFmt: AMOUNT_FORMAT } : c.kind === 'rate' ? { numFmt: RATE_FORMAT } : {},
    }));
    const head = sheet.addRow(titles);
    head.font = { bold: true };
    head.commit();
    for (const r of t.rows) sheet.addRow(t.columns.map((c, i) => cellOf(r[i], c.kind))).commit();
    sheet.commit();
  }
  await workbook.commit();
  await done;
  return Buffer.concat(chunks);
}
