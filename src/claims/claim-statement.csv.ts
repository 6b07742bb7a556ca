import type { claimOut } from './claim-views';

type ClaimRow = ReturnType<typeof claimOut>;

const COLUMNS: (keyof ClaimRow)[] = [
  'id',
  'loanId',
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

/** RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. */
function field(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The claim statement as CSV: a header line, one line per claim, CRLF line ends. */
export function claimStatementCsv(items: ClaimRow[]): string {
  const lines = [COLUMNS.join(',')];
  for (const item of items) lines.push(COLUMNS.map((c) => field(item[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
