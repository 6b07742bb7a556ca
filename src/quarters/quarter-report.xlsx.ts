import ExcelJS from 'exceljs';
import type { QuarterView } from './quarter-view.service';

type Row = Record<string, unknown>;

function sheet(book: ExcelJS.Workbook, name: string, columns: [key: string, header: string, width: number][], rows: Row[]): void {
  const ws = book.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map(([key, header, width]) => ({ key, header, width }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(r);
}

const STATUS_CHANGE = (r: { statusBefore: string; status: string }) => (r.statusBefore === r.status ? '' : `${r.statusBefore} → ${r.status}`);

/**
 * The quarter's report for the approver (issue 12 item 5) as an XLSX workbook: a summary (run,
 * custody fee, reserve band, bank reports), loss rates of banks and of agencies with their status
 * changes, the margin requirements with their shortfalls, and the dormancy proposals. Money and
 * rates stay the API's strings (exact to the fen; a spreadsheet's binary floats would not be).
 */
export async function quarterReportXlsx(view: QuarterView): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'reserve fund';
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
  return Buffer.from(await book.xlsx.writeBuffer());
}
