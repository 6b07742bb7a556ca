import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import type { ExportOptions } from '../common/format/export-format';
import { formatFen } from './domain/matching';
import type { BalanceReport } from './domain/reconciliation-balance';
import { RECONCILIATION_ERRORS } from './reconciliation.errors';
import { ReconciliationService } from './reconciliation.service';
import { ReconciliationWorkspaceService } from './reconciliation-workspace';
import { Table, toCsv, toXlsx } from './tabular';

/**
 * The reconciliation statement (余额调节表) of an account and period for the auditors (issue 14
 * item 5): ledger balance and statement balance, the items in transit each way, the adjusted
 * balances (equal once every difference is explained), then every match and every unmatched item,
 * so each fen of the difference is accounted for. JSON, CSV or XLSX.
 */
@Injectable()
export class ReconciliationReportService {
  constructor(
    private readonly workspace: ReconciliationWorkspaceService,
    private readonly reconciliations: ReconciliationService,
  ) {}

  async report(id: string, format: string, options: ExportOptions = { lang: 'en', bom: true }): Promise<{ json: unknown } | { csv: string } | { xlsx: Buffer }> {
    if (!['json', 'csv', 'xlsx'].includes(format)) {
      throw DomainError.invalid(RECONCILIATION_ERRORS.INVALID_FORMAT, 'format must be json, csv or xlsx.', [{ field: 'format', code: 'INVALID_VALUE', message: 'format must be json, csv or xlsx' }]);
    }
    const ws = await this.workspace.load(id);
    const summary = this.reconciliations.summary(ws);
    const b = summary as unknown as BalanceReport & { bankCode: string; account: string; from: string; to: string; status: string };
    const summaryRows: [string, string][] = [
      ['账户 Account', `${b.account} (${b.bankCode})`],
      ['期间 Period', `${b.from} … ${b.to}`],
      ['状态 Status', b.status],
      ['账面余额 Ledger balance', b.ledgerBalance],
      ['加：银行已收、账面未收 Statement-only receipts', b.statementOnlyReceipts],
      ['减：银行已付、账面未付 Statement-only payments', b.statementOnlyPayments],
      ['调节后账面余额 Adjusted ledger balance', b.adjustedLedgerBalance],
      ['银行对账单余额 Statement balance', b.statementBalance],
      ['加：账面已收、银行未收 Books-only receipts (in transit)', b.booksOnlyReceipts],
      ['减：账面已付、银行未付 Books-only payments (in transit)', b.booksOnlyPayments],
      ['调节后银行余额 Adjusted statement balance', b.adjustedStatementBalance],
      ['差额 Difference (statement − ledger)', b.difference],
      ['未解释 Unexplained', b.unexplained],
    ];
    const tables: Table[] = [
      { sheet: '余额调节表', columns: ['item', 'amount'], amountColumns: ['amount'], rows: summaryRows },
      { sheet: 'Explanation', sheetZh: '差异说明', columns: ['kind', 'ref', 'date', 'amount', 'text'], amountColumns: ['amount'], rows: b.explanation.map((e) => [e.kind, e.ref, e.date, e.amount, e.text]) },
      {
        sheet: 'Matches',
        sheetZh: '匹配记录',
        amountColumns: ['statementTotal', 'ledgerTotal'],
        columns: ['match', 'method', 'statementLines', 'ledgerLines', 'statementTotal', 'ledgerTotal', 'reason', 'by', 'at'],
        rows: ws.matches.map((m) => [m.id, m.method, m.statement.join(' '), m.ledger.join(' '), formatFen(m.statementTotal), formatFen(m.ledgerTotal), m.reason, m.createdBy, m.createdAt.toISOString()]),
      },
    ];
    if (format === 'csv') return { csv: toCsv(tables, options) };
    if (format === 'xlsx') return { xlsx: await toXlsx(tables, options.lang) };
    return { json: { ...summary, summary: summaryRows.map(([item, amount]) => ({ item, amount })), matches: tables[2].rows.length } };
  }
}
