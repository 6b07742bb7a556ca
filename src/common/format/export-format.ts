import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import type ExcelJS from 'exceljs';

/**
 * Exports people open in Excel (issue 17 item 3; docs/exports.md): the language of the headers
 * and sheet names, the UTF-8 byte-order mark on CSV, and the XLSX cell formats.
 *
 * Language: `?lang=` wins, then the request's `Accept-Language` (the first supported tag by its
 * q-value), then English. English stays the default for a request that asks for nothing because
 * the column names are the API's field names, which the banks' and the custodian's scripts read
 * (API.md: "add around it, never break it"); a browser always sends Accept-Language, so a Chinese
 * desktop gets Chinese headers without asking.
 */
export type ExportLang = 'zh-CN' | 'en';

export const EXPORT_LANGS = ['zh-CN', 'zh', 'en'] as const;

/** The byte-order mark that makes Excel read a CSV as UTF-8 (without it, Chinese is mojibake). */
export const CSV_BOM = '\ufeff';

/**
 * One CSV field (RFC 4180: quoted when it holds a comma, quote, CR or LF; quotes doubled), with the
 * spreadsheet-formula guard: text a spreadsheet would run as a formula (starting with =, +, -, @,
 * a tab or a CR) gets a leading apostrophe — free text from a bank (a borrower's name, a loan
 * reference) must not become a live formula in the trustee's Excel. A number (-25.00, +3) is left
 * as it is.
 *
 * Example: '=HYPERLINK("x")' → `"'=HYPERLINK(""x"")"`; '-25.00' → '-25.00'; 'a,b' → '"a,b"'.
 */
export function csvSafeField(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The XLSX number format of money cells: thousands separators, two decimals. */
export const AMOUNT_FORMAT = '#,##0.00';

/** The XLSX number format of rate cells (a loss rate 0.0425 shows as 4.25%). */
export const RATE_FORMAT = '0.00%';

export interface ExportOptions {
  lang: ExportLang;
  bom: boolean;
}

function normalise(tag: string): ExportLang | null {
  const t = tag.trim().toLowerCase();
  if (t === 'zh' || t.startsWith('zh-')) return 'zh-CN';
  if (t === 'en' || t.startsWith('en-')) return 'en';
  return null;
}

/** The language asked for: `?lang=` first, then Accept-Language by q-value, else English. */
export function exportLang(lang: string | undefined, acceptLanguage: string | undefined): ExportLang {
  if (lang) return normalise(lang) ?? 'en';
  if (!acceptLanguage) return 'en';
  const tags = acceptLanguage
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: tag.trim(), q: q ? Number(q[1]) : 1, i };
    })
    .filter((t) => t.tag && t.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const t of tags) {
    const found = normalise(t.tag);
    if (found) return found;
  }
  return 'en';
}

/** The options of one export request (the query's `lang` and `bom`, the Accept-Language header). */
export function exportOptions(q: { lang?: string; bom?: boolean }, acceptLanguage: string | string[] | undefined): ExportOptions {
  return { lang: exportLang(q.lang, Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : acceptLanguage), bom: q.bom !== false };
}

/** `lang` and `bom` on an export's query DTO. */
export function ExportLangField() {
  return applyDecorators(
    ApiPropertyOptional({
      enum: EXPORT_LANGS,
      description: 'Language of the headers and sheet names (zh-CN or en). Default: the Accept-Language header, else en (docs/exports.md).',
    }),
    IsOptional(),
    IsIn(EXPORT_LANGS),
  );
}

export function BomField() {
  return applyDecorators(
    ApiPropertyOptional({ type: Boolean, description: 'CSV only: start with the UTF-8 byte-order mark (default true; false gives the bytes without it).' }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value)),
    IsBoolean(),
  );
}

/**
 * Chinese headers, by the English column name (the API's field name). A column without an entry
 * keeps its English name in both languages (a hash or an id reads the same).
 */
// size: one dictionary of every export column reads best in one place
export const ZH_HEADERS: Readonly<Record<string, string>> = {
  // ledger journal and trial balance
  book: '账簿',
  sequence: '序号',
  entry_id: '分录ID',
  effective_date: '记账日期',
  recorded_at: '记录时间',
  memo: '摘要',
  link_type: '关联类型',
  link_id: '关联ID',
  reversal_of: '冲销分录',
  line_no: '行号',
  account: '科目',
  debit: '借方',
  credit: '贷方',
  prev_hash: '前一哈希',
  entry_hash: '分录哈希',
  canonical_version: '规范格式版本',
  canonical_recorded_at: '规范记录时间',
  as_of: '截至日期',
  name: '名称',
  type: '类型',
  normal_side: '余额方向',
  balance: '余额',
  total_debits: '借方累计',
  total_credits: '贷方累计',
  head_sequence: '末笔序号',
  head_hash: '末笔哈希',
  // claim statement
  id: 'ID',
  loanId: '贷款ID',
  loanReference: '贷款编号',
  borrowerName: '借款企业',
  bankCode: '银行代码',
  bankName: '银行',
  agencyCode: '合作机构代码',
  status: '状态',
  claimDate: '申请日期',
  outstandingPrincipal: '未偿本金',
  interestUnpaidSince: '欠息起始日',
  days: '天数',
  ratio: '补偿比例',
  interest: '利息',
  lossAmount: '损失金额',
  compensation: '补偿金额',
  capped: '是否封顶',
  reviewDueOn: '审核到期日',
  reviewedOn: '审核日期',
  approvedOn: '批准日期',
  paidOn: '拨付日期',
  receiptedOn: '回执日期',
  refundedTotal: '已返还',
  writtenOffOn: '核销日期',
  writtenOffAmount: '核销金额',
  // bank reports (the import reads the same words, src/loans/bank-report-rows.ts)
  repaid: '已还本金',
  assetQuality: '五级分类',
  // audit trail
  seq: '序号',
  occurredAt: '发生时间',
  requestId: '请求ID',
  actorTokenId: '操作令牌',
  actorRole: '角色',
  actorParty: '机构',
  action: '操作',
  targetIds: '对象',
  errorCode: '错误代码',
  hash: '哈希',
  // payment instructions and reconciliation report
  reference: '参考号',
  direction: '方向',
  amount: '金额',
  kind: '类别',
  effectiveDate: '日期',
  item: '项目',
  ref: '参考',
  date: '日期',
  text: '说明',
  match: '匹配ID',
  method: '方式',
  statementLines: '对账单行',
  ledgerLines: '账簿行',
  statementTotal: '对账单金额',
  ledgerTotal: '账簿金额',
  reason: '理由',
  by: '操作人',
  at: '时间',
};

/** The header of a column in the language asked for. */
export function headerOf(column: string, lang: ExportLang): string {
  return lang === 'zh-CN' ? (ZH_HEADERS[column] ?? column) : column;
}

export function headersOf(columns: readonly string[], lang: ExportLang): string[] {
  return columns.map((c) => headerOf(c, lang));
}

/** A sheet's name in the language asked for (Excel allows 31 characters). */
export function sheetNameOf(names: { en: string; zh: string }, lang: ExportLang): string {
  return (lang === 'zh-CN' ? names.zh : names.en).slice(0, 31);
}

/**
 * A money string as an XLSX number (so SUM works), or null for an empty cell. The API's amounts
 * have two decimals and stay below 10^13 yuan in this programme, inside the 15 significant digits
 * Excel keeps, so the cell shows the exact fen the string had.
 */
export function amountCell(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Column width in characters for a header and its widest expected value (CJK characters count double). */
export function columnWidth(header: string, widest = 12): number {
  const width = [...header].reduce((w, ch) => w + (ch.charCodeAt(0) > 0x2e7f ? 2 : 1), 0);
  return Math.min(80, Math.max(widest, width + 2));
}

/** Styles a worksheet's header row: bold, frozen (the header stays in view when scrolling). */
export function headerView(): Partial<ExcelJS.AddWorksheetOptions> {
  return { views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }] };
}
