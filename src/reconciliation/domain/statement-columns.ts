/**
 * The columns of a bank statement (RULES §8 "Reconciliation": date, value date, debit, credit,
 * balance, counterparty, reference/附言, in Chinese or English headers) and the header names the
 * banks use for them. A bank whose export uses other names gets a stored column mapping
 * (PUT /v1/statement-mappings/{bankCode}), which is tried before these.
 */
export const STATEMENT_FIELDS = ['date', 'valueDate', 'debit', 'credit', 'amount', 'balance', 'counterparty', 'reference', 'memo'] as const;
export type StatementField = (typeof STATEMENT_FIELDS)[number];

/** A stored per-bank mapping: field → the header text of that bank's export. */
export type ColumnMapping = Partial<Record<StatementField, string>>;

/** Known header names, compared after {@link normaliseHeader}. */
export const HEADER_SYNONYMS: Readonly<Record<StatementField, readonly string[]>> = {
  date: ['交易日期', '记账日期', '入账日期', '交易时间', '日期', 'date', 'transactiondate', 'bookingdate', 'postingdate', 'txndate'],
  valueDate: ['起息日', '起息日期', 'valuedate'],
  debit: ['借方发生额', '借方金额', '借方', '支出金额', '支出', '付款金额', 'debit', 'debitamount', 'withdrawal', 'withdrawals', 'paidout'],
  credit: ['贷方发生额', '贷方金额', '贷方', '收入金额', '收入', '收款金额', 'credit', 'creditamount', 'deposit', 'deposits', 'paidin'],
  amount: ['交易金额', '发生额', '金额', 'amount', 'signedamount'],
  balance: ['余额', '账户余额', '当前余额', 'balance', 'runningbalance'],
  counterparty: ['对方户名', '对方账户名称', '对方名称', '对方单位', 'counterparty', 'counterpartyname', 'payee', 'payer', 'payer/payee'],
  reference: ['附言', '用途', '交易附言', 'reference', 'ref', 'paymentreference'],
  memo: ['摘要', '备注', '交易摘要', 'memo', 'description', 'narrative', 'remarks'],
};

/** Trims, lower-cases and drops spaces, underscores, hyphens and a unit suffix such as (元) or （元）. */
export function normaliseHeader(header: string): string {
  return header
    .replace(/^\ufeff/, '')
    .trim()
    .replace(/[（(][^）)]*[）)]$/, '')
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
}

export interface ColumnProblem {
  code: 'MISSING_COLUMN' | 'DUPLICATE_COLUMN' | 'AMBIGUOUS_AMOUNT';
  field: string;
  message: string;
}

/**
 * Which column index holds each field, from the header cells: the bank's stored mapping first
 * (its header text, when the file has it), then the known names. Needs a date and either one signed amount or a
 * debit/credit pair (not both ways at once). Returns the index map or every problem.
 */
export function resolveColumns(headers: readonly string[], mapping: ColumnMapping = {}): { columns: Partial<Record<StatementField, number>>; problems: ColumnProblem[] } {
  const normalised = headers.map(normaliseHeader);
  const columns: Partial<Record<StatementField, number>> = {};
  const problems: ColumnProblem[] = [];
  for (const field of STATEMENT_FIELDS) {
    const mapped = mapping[field];
    const find = (names: string[]) => normalised.map((h, i) => (names.includes(h) ? i : -1)).filter((i) => i >= 0);
    const mappedHits = mapped !== undefined ? find([normaliseHeader(mapped)]) : [];
    const hits = mappedHits.length ? mappedHits : find(HEADER_SYNONYMS[field].map(normaliseHeader));
    if (hits.length > 1) problems.push({ code: 'DUPLICATE_COLUMN', field, message: `${hits.length} columns could be ${field}: ${hits.map((i) => headers[i]).join(', ')}` });
    else if (hits.length === 1) columns[field] = hits[0];
  }
  if (columns.date === undefined) problems.push({ code: 'MISSING_COLUMN', field: 'date', message: 'no date column (交易日期 / date)' });
  const pair = columns.debit !== undefined || columns.credit !== undefined;
  if (columns.amount !== undefined && pair) {
    problems.push({ code: 'AMBIGUOUS_AMOUNT', field: 'amount', message: 'both a signed amount column and debit/credit columns: keep one way (or store a mapping)' });
  } else if (columns.amount === undefined && (columns.debit === undefined || columns.credit === undefined)) {
    problems.push({ code: 'MISSING_COLUMN', field: 'amount', message: 'no amount: a signed amount column (金额 / amount) or both 借方发生额 and 贷方发生额 (debit / credit)' });
  }
  return { columns, problems };
}
