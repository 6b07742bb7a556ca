import type { ExportLang } from '../common/format/export-format';
import { XlsxTable, xlsxOf } from '../common/format/xlsx-writer';
import type { QuarterView } from './quarter-view.service';

type Row = Record<string, unknown>;

/** Columns holding money: number cells in `#,##0.00` (the summary's value column: where the value is an amount). */
const AMOUNTS = new Set(['value', 'numerator', 'approved', 'refunded', 'writtenOff', 'balance', 'reviewedBalance', 'feesReceivable', 'requirement', 'shortfall']);

/** Chinese headers of the report's columns, by their English header. */
const ZH: Readonly<Record<string, string>> = {
  item: '项目',
  value: '数值',
  bank: '银行',
  agency: '合作机构',
  'net compensation': '净补偿额',
  approved: '已批准',
  refunded: '已返还',
  'written off': '已核销',
  'outstanding balance': '在保余额',
  'loss rate': '代偿率',
  band: '档位',
  status: '状态',
  'status change': '状态变化',
  'for quarter': '适用季度',
  'reviewed balance': '审核余额',
  'fees receivable': '应收费用',
  'published loss rate': '公布代偿率',
  ratio: '比例',
  requirement: '应缴保证金',
  'margin held': '保证金余额',
  shortfall: '缺口',
  party: '主体',
  code: '代码',
  proposal: '建议',
  'last activity': '最近业务',
  'dormant from': '休眠起始',
  'trustee’s reason': '受托人理由',
};

const SHEETS: Readonly<Record<string, string>> = {
  Summary: '概要',
  'Loss rates – banks': '代偿率-银行',
  'Loss rates – agencies': '代偿率-合作机构',
  'Margin requirements': '保证金要求',
  Dormancy: '休眠',
};

function sheet(book: XlsxTable[], name: string, columns: [key: string, header: string, width: number][], rows: Row[]): void {
  book.push({
    sheet: { en: name, zh: SHEETS[name] ?? name },
    columns: columns.map(([key, header, width]) => ({ key, header: { en: header, zh: ZH[header] ?? header }, width, kind: AMOUNTS.has(key) ? 'amount' : 'text' })),
    rows: rows.map((r) => columns.map(([key]) => cellText(r[key]))),
  });
}

function cellText(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'number' ? v : String(v);
}

const STATUS_CHANGE = (r: { statusBefore: string; status: string }) => (r.statusBefore === r.status ? '' : `${r.statusBefore} → ${r.status}`);

/**
 * The quarter's report for the approver (issue 12 item 5) as an XLSX workbook: a summary (run,
 * custody fee, reserve band, bank reports), loss rates of banks and of agencies with their status
 * changes, the margin requirements with their shortfalls, and the dormancy proposals. Money is
 * number cells in `#,##0.00` (issue 17: SUM works; exact to the fen below 10^13); rates stay the
 * API's strings; headers and sheet names in the language asked for.
 */
export async function quarterReportXlsx(view: QuarterView, lang: ExportLang = 'en'): Promise<Buffer> {
  const book: XlsxTable[] = [];
  const fee = view.custodyFee;
  const band = view.reserveBand as Row | null;
  const bandRange = band?.band as { min?: string; max?: string } | undefined;
  sheet(
    book,
    'Summary',
    [
      ['item', 'item', 40],
      ['value', 'value', 60],
    ],
    [
      { item: 'quarter', value: view.quarter },
      { item: 'status', value: view.status },
      { item: 'duties done', value: view.duties.filter((d) => d.status === 'done').map((d) => d.duty).join(', ') },
      { item: 'custody fee (RULES §8)', value: fee?.total ?? '' },
      { item: '  from interest', value: fee?.fromInterest ?? '' },
      { item: '  from principal', value: fee?.fromPrincipal ?? '' },
      { item: '  interest added to principal', value: fee?.interestToPrincipal ?? '' },
      { item: 'reserve total at the quarter end', value: band ? String(band.total) : '' },
      { item: 'outstanding loans', value: band ? String(band.outstandingLoans) : '' },
      { item: 'band 10%–15%', value: bandRange ? `${bandRange.min} – ${bandRange.max}` : '' },
      { item: 'top-up / excess', value: band ? `${String(band.topUp)} / ${String(band.excess)}` : '' },
      { item: 'bank reports late', value: view.reports?.late.join(', ') ?? '' },
      { item: 'bank reports missing', value: view.reports?.missing.join(', ') ?? '' },
      { item: 'placement proposal', value: view.placementId ?? '' },
    ],
  );
  const rateColumns: [string, string, number][] = [
    ['numerator', 'net compensation', 18],
    ['approved', 'approved', 16],
    ['refunded', 'refunded', 16],
    ['writtenOff', 'written off', 16],
    ['balance', 'outstanding balance', 20],
    ['rateShown', 'loss rate', 12],
    ['band', 'band', 10],
    ['status', 'status', 18],
    ['change', 'status change', 34],
  ];
  sheet(book, 'Loss rates – banks', [['bankCode', 'bank', 14], ...rateColumns], view.lossRates.banks.map((r) => ({ ...r, change: STATUS_CHANGE(r) })));
  sheet(book, 'Loss rates – agencies', [['agencyCode', 'agency', 14], ...rateColumns], view.lossRates.agencies.map((r) => ({ ...r, change: STATUS_CHANGE(r) })));
  sheet(
    book,
    'Margin requirements',
    [
      ['agencyCode', 'agency', 14],
      ['quarter', 'for quarter', 12],
      ['reviewedBalance', 'reviewed balance', 20],
      ['feesReceivable', 'fees receivable', 16],
      ['lossRate', 'published loss rate', 18],
      ['ratio', 'ratio', 8],
      ['requirement', 'requirement', 16],
      ['balance', 'margin held', 16],
      ['shortfall', 'shortfall', 16],
    ],
    view.marginRequirements as Row[],
  );
  sheet(
    book,
    'Dormancy',
    [
      ['partyType', 'party', 8],
      ['partyCode', 'code', 14],
      ['kind', 'proposal', 16],
      ['lastActivityOn', 'last activity', 14],
      ['dormantFrom', 'dormant from', 14],
      ['status', 'status', 12],
      ['confirmReason', 'trustee’s reason', 40],
    ],
    view.dormancy as Row[],
  );
  return xlsxOf(book, lang);
}
