/**
 * Which module owns each table (issue 9: one owner per table). Only files under the owner's folder
 * may name the table in SQL or map it with an entity; every other module asks the owner's service
 * (or a port). A table created by a migration without an entry here fails table-ownership.spec.ts,
 * and so does an entry for a table no migration creates.
 *
 * This is the target design: docs/architecture.md ("Modules and who owns what") lists where the
 * code does not follow it yet.
 */
export interface TableOwner {
  /** The owning module's folder, relative to the repository root. */
  owner: string;
  /** Why this module, in one line. */
  reason: string;
}

export const TABLE_OWNERS: Readonly<Record<string, TableOwner>> = {
  api_tokens: { owner: 'src/auth', reason: 'Tokens are issued, hashed and checked by auth alone.' },
  audit_log: { owner: 'src/audit', reason: 'The audit trail is appended and read by the audit module alone (issue #15).' },
  audit_log_head: { owner: 'src/audit', reason: 'The head of the audit hash chain; appending locks it.' },
  job_heartbeats: {
    owner: 'src/jobs',
    reason: 'The heartbeat job stamps it; /health asks jobs for the last beat.',
  },

  ledger_books: {
    owner: 'src/ledger',
    reason: 'Book heads (sequence, hash chain, closed-through date) are ledger state.',
  },
  ledger_accounts: {
    owner: 'src/ledger',
    reason:
      'The chart of accounts and balances; others open, lock and read them through ledger services.',
  },
  ledger_entries: {
    owner: 'src/ledger',
    reason: 'Journal entries are written only by posting, which keeps them balanced and chained.',
  },
  ledger_lines: {
    owner: 'src/ledger',
    reason: 'Entry lines; balances as of a date are a ledger query.',
  },
  ledger_period_closes: { owner: 'src/ledger', reason: 'Period locks are the ledger’s own.' },
  ledger_verify_checkpoints: {
    owner: 'src/ledger',
    reason: 'The last verified head per book, written and read by verify alone.',
  },

  idempotency_keys: {
    owner: 'src/common/idempotency',
    reason: 'Stored responses of the idempotency interceptor, for every module alike.',
  },

  policy_versions: {
    owner: 'src/programme',
    reason: 'The programme’s policy (LPR, ratios, bands) by effective date.',
  },
  programmes: {
    owner: 'src/programme',
    reason: 'The programmes policy versions are keyed by (RULES §11a).',
  },
  lpr_rates: {
    owner: 'src/programme',
    reason: 'LPR rows for the rate cap: dated reference data beside the policy (RULES §2).',
  },
  pboc_benchmark_rates: {
    owner: 'src/programme',
    reason: 'PBoC benchmark lending rates for the rate cap: dated reference data (RULES §2).',
  },
  banks: {
    owner: 'src/programme',
    reason: 'Parties are the programme’s; party locking lives with the parties.',
  },
  agencies: {
    owner: 'src/programme',
    reason: 'Parties are the programme’s (src/agencies owns the margins, not the party).',
  },
  party_status_changes: {
    owner: 'src/programme',
    reason: 'Status history of banks and agencies, beside the parties.',
  },
  agreements: {
    owner: 'src/programme',
    reason: 'Bank–agency cooperation agreements are programme set-up.',
  },
  borrowers: {
    owner: 'src/programme',
    reason: 'Borrowers are registered as programme parties before any loan.',
  },
  borrower_revenues: {
    owner: 'src/programme',
    reason: 'Revenue history decides a borrower’s eligibility; kept with the borrower.',
  },
  borrower_qualifications: {
    owner: 'src/programme',
    reason: 'Dated qualifications of a borrower (RULES §2), kept with the borrower.',
  },
  party_status_reasons: {
    owner: 'src/programme',
    reason: 'The reasons behind a bank’s or agency’s status (RULES §6), beside the parties.',
  },
  agency_changes: {
    owner: 'src/programme',
    reason: 'An enterprise group’s approved change of agency is party history.',
  },
  programme_versions: {
    owner: 'src/programme',
    reason: 'A programme’s data document (rules, caps, calculators, flows) by effective date (issue 18).',
  },
  borrower_headcounts: {
    owner: 'src/programme',
    reason: 'A borrower’s headcount history, which the employment programmes test; kept with the borrower.',
  },
  borrower_hires: {
    owner: 'src/programme',
    reason: 'A borrower’s hires by origin region and group, which the employment programmes test.',
  },
  programme_loans: {
    owner: 'src/programme',
    reason: 'Loans registered against a programme other than Henan’s, with their version; flowOf reads them.',
  },

  loans: {
    owner: 'src/loans',
    reason: 'Registration, disbursement and repayment state of each loan.',
  },
  bank_reports: {
    owner: 'src/loans',
    reason: 'Quarterly bank reports update the loans they list.',
  },
  bank_report_rows: { owner: 'src/loans', reason: 'The rows of a bank report.' },
  loan_figure_changes: {
    owner: 'src/loans',
    reason: 'Which transactions changed loans or bank reports, and from which date: written by the loans tables’ own triggers.',
  },
  loan_figure_snapshots: {
    owner: 'src/loans',
    reason: 'Aggregates over the loans and their bank reports, kept until a change dated on or before them.',
  },
  agency_fees: {
    owner: 'src/loans',
    reason: 'Agency fees are charged per loan, from the loan’s figures.',
  },

  reserve_fundings: {
    owner: 'src/reserve',
    reason:
      'Who paid into the reserve, how much and when (with its ledger entry) is the reserve’s record.',
  },
  reserve_accounts: {
    owner: 'src/reserve',
    reason: 'Each bank’s reserve accounts (branch, number, opened, closed, moves) are the reserve’s record (RULES §8; R 第九–十一条).',
  },

  approval_batches: {
    owner: 'src/claims',
    reason: 'Approval batches group claims for approval and posting.',
  },
  claims: {
    owner: 'src/claims',
    reason:
      'The claim lifecycle; others ask claims (e.g. through a port) for compensation figures.',
  },
  claim_payout_legs: {
    owner: 'src/claims',
    reason: 'How a claim’s payout was split between reserve and margins.',
  },
  claim_recoveries: {
    owner: 'src/claims',
    reason: 'Recoveries on a paid claim and their refunds.',
  },

  holiday_calendars: {
    owner: 'src/holidays',
    reason: 'PRC holiday schedules the trustee loads (RULES §9); the calendar reads them at start-up.',
  },
  quarter_runs: { owner: 'src/quarters', reason: 'One run per quarter; the quarter close decides what has run.' },
  quarter_duties: {
    owner: 'src/quarters',
    reason: 'The run table (quarter, duty): a duty and its row commit together, so it applies once.',
  },
  quarter_dormancy_proposals: {
    owner: 'src/quarters',
    reason: 'Dormancy proposals a quarter close makes for the trustee to confirm (RULES §6).',
  },
  party_loss_rates: {
    owner: 'src/programme',
    reason: 'A party’s loss rate per quarter sits beside its status reasons (RULES §6).',
  },
  agency_margin_requirements: {
    owner: 'src/agencies',
    reason: 'The margin requirement fixed per quarter; withdrawals and shortfalls read it (RULES §7).',
  },
  flow_fundings: { owner: 'src/programme-flows', reason: 'Appropriations into the IP-pledge and subsidy funds (issue 18 item 3).' },
  pledge_claims: { owner: 'src/programme-flows', reason: 'The two-phase IP-pledge claim: advance at default, settlement after the sale.' },
  interest_subsidies: { owner: 'src/programme-flows', reason: 'Start-up guarantee loan interest subsidies, numbered per borrower.' },
  interest_subsidy_quarters: { owner: 'src/programme-flows', reason: 'A subsidy’s quarterly schedule, claimed then paid.' },
  placement_proposals: {
    owner: 'src/placement',
    reason: 'The placement proposals of each quarter (RULES §8 placement cycle): inputs, targets, transfers, approval and execution.',
  },

  agency_margin_events: {
    owner: 'src/agencies',
    reason: 'An agency’s margin events (deposits, withdrawals, deductions, shortfall settlements).',
  },

  payment_instructions: {
    owner: 'src/reconciliation',
    reason: 'Instructions are derived from the ledger’s movements of the reserve accounts and matched by reconciliation.',
  },
  statement_column_mappings: { owner: 'src/reconciliation', reason: 'How a bank’s statement export names its columns.' },
  reconciliations: { owner: 'src/reconciliation', reason: 'One imported bank statement per account and period, and its close.' },
  reconciliation_statement_lines: { owner: 'src/reconciliation', reason: 'The lines of an imported statement.' },
  reconciliation_matches: { owner: 'src/reconciliation', reason: 'Which statement lines are which ledger lines, by rule or by hand.' },
  reconciliation_match_items: { owner: 'src/reconciliation', reason: 'The lines on each side of a match.' },
  reconciliation_corrections: { owner: 'src/reconciliation', reason: 'Correcting entries proposed from unmatched items, posted on a second person’s approval.' },
};
