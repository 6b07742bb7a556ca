import ExcelJS from 'exceljs';

/** A table for the custodian or the auditors: CSV (RFC 4180, UTF-8 with BOM so spreadsheet programs read Chinese) or XLSX. */
export interface Table {
  sheet: string;
  columns: string[];
  rows: (string | number | null)[][];
}

function csvCell(v: string | number | null): string {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(tables: Table[]): string {
  const parts = tables.map((t) => [t.columns, ...t.rows].map((r) => r.map(csvCell).join(',')).join('\r\n'));
  return `\ufeff${parts.join('\r\n\r\n')}\r\n`;
}

export async function toXlsx(tables: Table[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  for (const t of tables) {
    const sheet = workbook.addWorksheet(t.sheet.slice(0, 31));
    sheet.addRow(t.columns).font = { bold: true };
    for (const r of t.rows) sheet.addRow(r);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
