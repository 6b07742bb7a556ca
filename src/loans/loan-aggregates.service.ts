import { Injectable } from '@nestjs/common';
import { TransactionScope } from '../common/database/transaction-scope';
import { Money } from '../common/money/money';
import { loanOutstandingSql } from './outstanding.service';

/** A bank's quarterly report filing for one quarter, as the quarter close reads it (RULES §9, B 第十条). */
export interface ReportFiling {
  bankCode: string;
  /** The date of the first version received. */
  firstReceivedOn: string;
  dueOn: string;
  /** Whether the first version came after its due date. */
  late: boolean;
}

/**
 * Per-bank figures the placement model weighs (RULES §8 Decision, the scoring model; issue 13
 * item 1), over the bank's loans with principal outstanding as of the date.
 */
export interface PlacementLoanFigures {
  bankCode: string;
  /** Loans with principal outstanding. */
  loans: number;
  /** Σ outstanding principal (the balance criterion). */
  outstanding: string;
  /** Average term in months, weighted by each loan's outstanding principal (8 decimals). */
  averageTermMonths: string;
  /** Average annual rate, weighted by each loan's outstanding principal (8 decimals). */
  averageRate: string;
  /** Σ collateral value ÷ Σ loan amount over those loans (0 when nothing is lent). */
  collateralRatio: string;
  /** Share of the bank's borrowers (distinct) whose revenue used at registration is ≤ the small-borrower limit. */
  smallBorrowerShare: string;
}
/**
 * Set-based aggregates over loans and bank reports for the quarter close (issue 12): SQL
 * aggregations inside PostgreSQL, never loans loaded into Node (the benchmark holds 1,000,000
 * loans). Only this module's tables are named (loans, bank_reports). Runs in the open transaction
 * when there is one.
 */
@Injectable()
export class LoanAggregatesService {
  constructor(private readonly tx: TransactionScope) {}

  /** The latest disbursement of each bank on or before `asOf` (banks with none are absent). */
  async lastDisbursementByBank(asOf: string): Promise<Map<string, string>> {
    const rows = (await this.tx.manager.query(
      `SELECT bank_code, max(disbursed_on)::text AS last FROM loans WHERE disbursed_on IS NOT NULL AND disbursed_on <= $1 GROUP BY bank_code`,
      [asOf],
    )) as { bank_code: string; last: string }[];
    return new Map(rows.map((r) => [r.bank_code, r.last]));
  }

  /** The latest registration (备案) of a loan each agency reviewed, on or before `asOf`. */
  async lastRegistrationByAgency(asOf: string): Promise<Map<string, string>> {
    const rows = (await this.tx.manager.query(
      `SELECT agency_code, max(registered_on)::text AS last FROM loans WHERE registered_on <= $1 GROUP BY agency_code`,
      [asOf],
    )) as { agency_code: string; last: string }[];
    return new Map(rows.map((r) => [r.agency_code, r.last]));
  }

  /** Each bank's first filing of its report for `quarter` (banks that filed none are absent). */
  async reportFilings(quarter: string): Promise<ReportFiling[]> {
    const rows = (await this.tx.manager.query(
      `SELECT DISTINCT ON (bank_code) bank_code, received_on::text AS received_on, due_on::text AS due_on, late
         FROM bank_reports WHERE quarter = $1 ORDER BY bank_code, version`,
      [quarter],
    )) as { bank_code: string; received_on: string; due_on: string; late: boolean }[];
    return rows.map((r) => ({ bankCode: r.bank_code, firstReceivedOn: r.received_on, dueOn: r.due_on, late: r.late }));
  }

  /**
   * Per-bank loan figures as of a date for the placement model: one pass over the loans and their
   * latest bank-report rows (the outstanding principal of each loan, as OutstandingService counts
   * it), loans whose principal is repaid left out, averages weighted by outstanding principal.
   */
  async placementFigures(asOf: string, smallRevenueMax: Money): Promise<PlacementLoanFigures[]> {
    // One pass, two hash aggregates (per bank and borrower, then per bank): no sort for the distinct
    // borrowers; inside a transaction the pass gets the memory to stay off disk (set_config local).
    if (this.tx.current()) await this.tx.manager.query(`SELECT set_config('work_mem', '64MB', true)`);
    const rows = (await this.tx.manager.query(
      `WITH o AS (${loanOutstandingSql(' l.term_months, l.annual_rate, l.collateral_value, l.amount, l.borrower_code, l.revenue_used,')}),
       per_borrower AS (
         SELECT bank_code, borrower_code, count(*) AS loans, sum(outstanding) AS outstanding,
                sum(term_months * outstanding) AS term_weighted, sum(annual_rate * outstanding) AS rate_weighted,
                sum(collateral_value) AS collateral, sum(amount) AS amount, bool_or(revenue_used <= $2) AS small
           FROM o WHERE outstanding > 0 GROUP BY bank_code, borrower_code)
       SELECT bank_code, sum(loans)::int AS loans, sum(outstanding)::text AS outstanding,
              round(sum(term_weighted) / sum(outstanding), 8)::text AS avg_term,
              round(sum(rate_weighted) / sum(outstanding), 8)::text AS avg_rate,
              round(sum(collateral) / sum(amount), 8)::text AS collateral_ratio,
              round(count(*) FILTER (WHERE small)::numeric / count(*), 8)::text AS small_share
         FROM per_borrower GROUP BY bank_code ORDER BY bank_code`,
      [asOf, smallRevenueMax.toString()],
    )) as { bank_code: string; loans: number; outstanding: string; avg_term: string; avg_rate: string; collateral_ratio: string; small_share: string }[];
    return rows.map((r) => ({
      bankCode: r.bank_code,
      loans: r.loans,
      outstanding: r.outstanding,
      averageTermMonths: r.avg_term,
      averageRate: r.avg_rate,
      collateralRatio: r.collateral_ratio,
      smallBorrowerShare: r.small_share,
    }));
  }
}
