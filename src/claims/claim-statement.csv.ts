import { csvSafeField, CSV_BOM, ExportOptions, headersOf } from '../common/format/export-format';
import type { claimOut } from './claim-views';

type ClaimRow = ReturnType<typeof claimOut> & { loanReference: string | null; borrowerName: string | null };

const COLUMNS: (keyof ClaimRow)[] = [
  'id',
  'loanId',
  'loanReference',
  'borrowerName',
  'bankCode',
  'agencyCode',
  'status',
  'claimDate',
  'outstandingPrincipal',
  'interestUnpaidSince',
  'days',
  'ratio',
  'interest',
  'lossAmount',
  'compensation',
  'capped',
  'reviewDueOn',
  'reviewedOn',
  'approvedOn',
  'paidOn',
  'receiptedOn',
  'refundedTotal',
  'writtenOffOn',
  'writtenOffAmount',
];

/** RFC 4180 quoting with the formula guard (csvSafeField): borrower names and loan references are the bank's free text. */
const field = csvSafeField;

/**
 * The claim statement as CSV: a header line in the language asked for, one line per claim, CRLF
 * line ends, the UTF-8 byte-order mark first unless `bom` is false (docs/exports.md).
 */
export function claimStatementCsv(items: ClaimRow[], options: ExportOptions = { lang: 'en', bom: false }): string {
  const lines = [headersOf(COLUMNS, options.lang).join(',')];
  for (const item of items) lines.push(COLUMNS.map((c) => field(item[c])).join(','));
  return `${options.bom ? CSV_BOM : ''}${lines.join('\r\n')}\r\n`;
}
