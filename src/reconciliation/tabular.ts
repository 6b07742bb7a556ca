import { CSV_BOM, csvSafeField, ExportLang, ExportOptions, headersOf } from '../common/format/export-format';
import { xlsxOf } from '../common/format/xlsx-writer';

/**
 * A table for the custodian or the auditors: CSV (RFC 4180, UTF-8 with the byte-order mark by
 * default so spreadsheet programs read Chinese) or XLSX (money as numbers; docs/exports.md).
 */
export interface Table {
  sheet: string;
  /** The sheet's Chinese name (XLSX in zh-CN); default: `sheet`. */
  sheetZh?: string;
  columns: string[];
  /** Columns holding money strings: numbers in `#,##0.00` in XLSX. */
  amountColumns?: string[];
  rows: (string | number | null)[][];
}

/** RFC 4180 with the formula guard (csvSafeField): statement memos and counterparties are the banks' text. */
const csvCell = csvSafeField;

export function toCsv(tables: Table[], options: ExportOptions = { lang: 'en', bom: true }): string {
  const parts = tables.map((t) => [headersOf(t.columns, options.lang), ...t.rows].map((r) => r.map(csvCell).join(',')).join('\r\n'));
  return `${options.bom ? CSV_BOM : ''}${parts.join('\r\n\r\n')}\r\n`;
}

export async function toXlsx(tables: Table[], lang: ExportLang = 'en'): Promise<Buffer> {
  return xlsxOf(
    tables.map((t) => ({
      sheet: { en: t.sheet, zh: t.sheetZh ?? t.sheet },
      columns: t.columns.map((key) => ({ key, kind: t.amountColumns?.includes(key) ? ('amount' as const) : ('text' as const), width: key === 'memo' || key === 'item' || key === 'text' ? 48 : 16 })),
      rows: t.rows,
    })),
    lang,
  );
}
