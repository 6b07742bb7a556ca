import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionScope } from '../common/database/transaction-scope';
import { Money } from '../common/money/money';

export interface OutstandingBalances {
  asOf: string;
  total: Money;
  loans: number;
  banks: { bankCode: string; outstanding: Money; loans: number }[];
  agencies: { agencyCode: string; outstanding: Money; loans: number }[];
}

/**
 * The outstanding principal of each disbursed loan as of a date: the row of the latest current
 * (not superseded) bank report whose quarter ended on or before that date; before any report, the
 * disbursed amount. Loans disbursed after the date count nothing. Exact numeric sums in SQL.
 *
 * SQL rather than entities on purpose: this is a set-based aggregation over every loan and every
 * report row (DISTINCT ON per loan, then GROUPING SETS per bank, per agency and in total), done in
 * one statement inside PostgreSQL with exact numeric sums. Loading the entities to sum them in
 * code would move every row (hundreds of thousands after a few quarters) into the service for a
 * handful of totals. Only tables of this module are named (loans, bank_reports, bank_report_rows).
 * `extraLoanColumns` adds columns of `loans l` to each row (e.g. ' l.term_months,').
 */
export function loanOutstandingSql(extraLoanColumns = ''): string {
  return `
  WITH latest AS (
    SELECT DISTINCT ON (r.loan_id) r.loan_id, r.outstanding_principal
      FROM bank_report_rows r JOIN bank_reports b ON b.id = r.report_id
     WHERE b.superseded_at IS NULL AND b.quarter_end <= $1
     ORDER BY r.loan_id, b.quarter_end DESC
  )
  SELECT l.id, l.bank_code, l.agency_code,${extraLoanColumns} COALESCE(latest.outstanding_principal, l.disbursed_amount) AS outstanding
    FROM loans l LEFT JOIN latest ON latest.loan_id = l.id
   WHERE l.disbursed_on IS NOT NULL AND l.disbursed_on <= $1`;
}

const LOAN_OUTSTANDING_SQL = loanOutstandingSql();

/**
 * Outstanding balances per bank, per agency (the loans it reviewed) and in total (issue #5 item 6):
 * the denominators of loss rates (RULES §6), the base of margin requirements (RULES §7) and of the
 * reserve band (RULES §8).
 */
@Injectable()
export class OutstandingService {
  constructor(private readonly tx: TransactionScope) {}

  async asOf(date: string, manager?: EntityManager): Promise<OutstandingBalances> {
    const rows: { bank_code: string | null; agency_code: string | null; grp: number; outstanding: string | null; loans: string }[] =
      await (manager ?? this.tx.manager).query(
        `WITH o AS (${LOAN_OUTSTANDING_SQL})
         SELECT bank_code, agency_code, GROUPING(bank_code, agency_code) AS grp,
                sum(outstanding)::text AS outstanding, count(*)::text AS loans
           FROM o GROUP BY GROUPING SETS ((bank_code), (agency_code), ())
           ORDER BY grp, bank_code, agency_code`,
        [date],
      );
    const result: OutstandingBalances = { asOf: date, total: Money.ZERO, loans: 0, banks: [], agencies: [] };
    for (const r of rows) {
      const outstanding = Money.of(r.outstanding ?? '0');
      const loans = Number(r.loans);
      if (r.grp === 3) {
        result.total = outstanding;
        result.loans = loans;
      } else if (r.bank_code !== null && r.grp === 1) {
        result.banks.push({ bankCode: r.bank_code, outstanding, loans });
      } else if (r.agency_code !== null && r.grp === 2) {
        result.agencies.push({ agencyCode: r.agency_code, outstanding, loans });
      }
    }
    return result;
  }

  /** One bank's outstanding balance as of a date (0.00 when it has no disbursed loan). */
  async ofBank(bankCode: string, date: string, manager?: EntityManager): Promise<Money> {
    return this.sumWhere('bank_code', bankCode, date, manager);
  }

  /** The balance of the loans an agency reviewed, as of a date. */
  async ofAgency(agencyCode: string, date: string, manager?: EntityManager): Promise<Money> {
    return this.sumWhere('agency_code', agencyCode, date, manager);
  }

  /** One loan's outstanding principal as of a date (0.00 before its disbursement). */
  async ofLoan(loanId: string, date: string, manager?: EntityManager): Promise<Money> {
    const rows: { total: string | null }[] = await (manager ?? this.tx.manager).query(
      `WITH o AS (${LOAN_OUTSTANDING_SQL} AND l.id = $2) SELECT sum(outstanding)::text AS total FROM o`,
      [date, loanId],
    );
    return Money.of(rows[0].total ?? '0');
  }

  private async sumWhere(column: 'bank_code' | 'agency_code', code: string, date: string, manager?: EntityManager): Promise<Money> {
    const rows: { total: string | null }[] = await (manager ?? this.tx.manager).query(
      `WITH o AS (${LOAN_OUTSTANDING_SQL} AND l.${column} = $2) SELECT sum(outstanding)::text AS total FROM o`,
      [date, code],
    );
    return Money.of(rows[0].total ?? '0');
  }
}
