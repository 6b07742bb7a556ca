import { PassThrough } from 'node:stream';
import { deterministicWorkbook } from './xlsx-stream';
import { AMOUNT_FORMAT, ExportLang, RATE_FORMAT, amountCell, columnWidth, headerOf, headerView, sheetNameOf } from './export-format';

/** The fixed instant written into XLSX metadata and zip entries, so two exports are byte-identical. */
export { XLSX_FIXED_DATE } from './xlsx-stream';

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
  const workbook = deterministicWorkbook(out, 'reserve-fund', { useStyles: true });
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
