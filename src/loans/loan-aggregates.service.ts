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
/** The advisory lock key of the stored loan figures (shared while aggregating and storing, exclusive to prune). */
const FIGURES_LOCK = 1733880000;

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
   *
   * Kept once computed (issue 13 "Performance"; migration 1733880000000, docs/placement.md
   * "Stored loan figures"): the stored figures for the same date and limit are returned as long
   * as no loan, bank report or report row changed in a way dated on or before `asOf` by a
   * transaction the aggregating statement could not see. A walled transaction (a bank's or an
   * agency's) sees only its own rows, so it neither reads nor stores them.
   */
  async placementFigures(asOf: string, smallRevenueMax: Money): Promise<PlacementLoanFigures[]> {
    const params = smallRevenueMax.toString();
    if (this.tx.currentParty()) return (await this.aggregatePlacementFigures(asOf, params)).figures;
    const [stored] = (await this.tx.manager.query(
      `SELECT s.figures FROM loan_figure_snapshots s
        WHERE s.kind = 'placement' AND s.as_of = $1 AND s.params = $2
          AND NOT EXISTS (SELECT 1 FROM loan_figure_changes c
                           WHERE c.xact >= pg_snapshot_xmin(s.snapshot) AND c.earliest <= s.as_of
                             AND NOT pg_visible_in_snapshot(c.xact, s.snapshot))`,
      [asOf, params],
    )) as { figures: PlacementLoanFigures[] }[];
    if (stored) return stored.figures;
    return this.tx.run(async (m) => {
      // Held until this transaction ends: from the aggregation to the stored row's commit, the
      // change log is not pruned by anyone else (a snapshot not stored yet must find every change
      // it could not see).
      await m.query(`SELECT pg_advisory_xact_lock_shared($1)`, [FIGURES_LOCK]);
      const { snapshot, figures } = await this.aggregatePlacementFigures(asOf, params);
      // Never replaces figures with older ones (two aggregations of one date racing).
      await m.query(
        `INSERT INTO loan_figure_snapshots (kind, as_of, params, snapshot, figures) VALUES ('placement', $1, $2, $3::pg_snapshot, $4::jsonb)
         ON CONFLICT (kind, as_of, params) DO UPDATE SET snapshot = EXCLUDED.snapshot, figures = EXCLUDED.figures, computed_at = now()
          WHERE pg_snapshot_xmin(loan_figure_snapshots.snapshot) <= pg_snapshot_xmin(EXCLUDED.snapshot)`,
        [asOf, params, snapshot, JSON.stringify(figures)],
      );
      // Changes every stored snapshot saw can no longer make any of them stale; pruned only when no
      // other transaction is between its aggregation and its commit (else the next one prunes).
      const [{ alone }] = (await m.query(`SELECT pg_try_advisory_xact_lock($1) AS alone`, [FIGURES_LOCK])) as { alone: boolean }[];
      if (alone) await m.query(`DELETE FROM loan_figure_changes WHERE xact < (SELECT min(pg_snapshot_xmin(snapshot)) FROM loan_figure_snapshots)`);
      return figures;
    });
  }

  /** The aggregation itself, with the snapshot of the statement that ran it. */
  private async aggregatePlacementFigures(asOf: string, smallRevenueMax: string): Promise<{ snapshot: string; figures: PlacementLoanFigures[] }> {
    // One pass, two hash aggregates (per bank and borrower, then per bank): no sort for the distinct
    // borrowers; inside a transaction the pass gets the memory to stay off disk (set_config local).
    if (this.tx.current()) await this.tx.manager.query(`SELECT set_config('work_mem', '64MB', true)`);
    const [result] = (await this.tx.manager.query(
      `WITH o AS (${loanOutstandingSql(' l.term_months, l.annual_rate, l.collateral_value, l.amount, l.borrower_code, l.revenue_used,')}),
       per_borrower AS (
         SELECT bank_code, borrower_code, count(*) AS loans, sum(outstanding) AS outstanding,
                sum(term_months * outstanding) AS term_weighted, sum(annual_rate * outstanding) AS rate_weighted,
                sum(collateral_value) AS collateral, sum(amount) AS amount, bool_or(revenue_used <= $2) AS small
           FROM o WHERE outstanding > 0 GROUP BY bank_code, borrower_code),
       per_bank AS (
         SELECT bank_code AS "bankCode", sum(loans)::int AS loans, sum(outstanding)::text AS outstanding,
                round(sum(term_weighted) / sum(outstanding), 8)::text AS "averageTermMonths",
                round(sum(rate_weighted) / sum(outstanding), 8)::text AS "averageRate",
                round(sum(collateral) / sum(amount), 8)::text AS "collateralRatio",
                round(count(*) FILTER (WHERE small)::numeric / count(*), 8)::text AS "smallBorrowerShare"
           FROM per_borrower GROUP BY bank_code)
       SELECT pg_current_snapshot()::text AS snapshot,
              COALESCE((SELECT json_agg(per_bank ORDER BY "bankCode") FROM per_bank), '[]'::json) AS figures`,
      [asOf, smallRevenueMax],
    )) as { snapshot: string; figures: PlacementLoanFigures[] }[];
    return result;
  }
}
