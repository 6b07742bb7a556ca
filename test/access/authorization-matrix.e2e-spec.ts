import { randomUUID } from 'node:crypto';
import { buildAccessWorld, type AccessTokens, type AccessWorld } from './access-world';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Issue #15 "Done when": every route of the OpenAPI document × every role → the expected status.
 *
 * A row per route: how to call it (the world's ids — objects of bank A and its agency where a route
 * takes an id — and, for a write, an empty body, so a role that passes the guard gets the 400 of
 * validation and nothing is written; a role that does not gets the guard's 403), and the status
 * each of the seven tokens must get, in the order of COLUMNS. A route in the document without a
 * row, or a row without a route, fails the first test: a new route cannot ship without a decision
 * on who may call it. Set MATRIX_PRINT=1 to print the observed table.
 */
const COLUMNS = ['trustee', 'approver', 'custodian', 'bankA', 'bankB', 'agency', 'auditor'] as const satisfies readonly (keyof AccessTokens)[];

interface Row {
  path: (w: AccessWorld) => string;
  /** A JSON body for writes; default `{}` for POST/PUT. */
  body?: unknown;
  /** Seven statuses in COLUMNS order. */
  expect: string;
}

const ALL_200 = '200 200 200 200 200 200 200';
const ALL_400 = '400 400 400 400 400 400 400';
/** Writes only the trustee may make: its empty body is a 400, everyone else a 403. */
const TRUSTEE_WRITE = '400 403 403 403 403 403 403';
/** Writes of the custodian and the trustee (reserve, reconciliation): an empty body is a 400 for both. */
const CUSTODY_WRITE = '400 403 400 403 403 403 403';
/** Reads for the four programme-wide roles, of an object that does not exist: 404 for them, 403 for party tokens. */
const QUARTER_READERS_404 = '404 404 404 403 403 403 404';

const MATRIX: Record<string, Row> = {
  'GET /health': { path: () => '/health', expect: ALL_200 },
  'GET /metrics': { path: () => '/metrics', expect: '200 200 200 403 403 403 200' },
  'POST /v1/tokens': { path: () => '/v1/tokens', expect: TRUSTEE_WRITE },
  'GET /v1/tokens': { path: () => '/v1/tokens?limit=1', expect: '200 403 403 403 403 403 200' },
  'GET /v1/tokens/me': { path: () => '/v1/tokens/me', expect: ALL_200 },
  'DELETE /v1/tokens/{id}': { path: () => `/v1/tokens/${randomUUID()}`, expect: '404 403 403 403 403 403 403' },
  'POST /v1/calculators/compensation': { path: () => '/v1/calculators/compensation', expect: ALL_400 },
  'POST /v1/calculators/margin-deduction': { path: () => '/v1/calculators/margin-deduction', expect: ALL_400 },
  'POST /v1/calculators/recovery-refund': { path: () => '/v1/calculators/recovery-refund', expect: ALL_400 },
  'POST /v1/banks': { path: () => '/v1/banks', expect: TRUSTEE_WRITE },
  'GET /v1/banks': { path: () => '/v1/banks?limit=1', expect: ALL_200 },
  'GET /v1/banks/{code}': { path: (w) => `/v1/banks/${w.bankA}`, expect: ALL_200 },
  'POST /v1/banks/{code}/status': { path: (w) => `/v1/banks/${w.bankA}/status`, expect: TRUSTEE_WRITE },
  'GET /v1/banks/{code}/status-history': { path: (w) => `/v1/banks/${w.bankA}/status-history`, expect: ALL_200 },
  'POST /v1/agencies': { path: () => '/v1/agencies', expect: TRUSTEE_WRITE },
  'GET /v1/agencies': { path: () => '/v1/agencies?limit=1', expect: ALL_200 },
  'GET /v1/agencies/{code}': { path: (w) => `/v1/agencies/${w.agency}`, expect: ALL_200 },
  'POST /v1/agencies/{code}/status': { path: (w) => `/v1/agencies/${w.agency}/status`, expect: TRUSTEE_WRITE },
  'GET /v1/agencies/{code}/status-history': { path: (w) => `/v1/agencies/${w.agency}/status-history`, expect: ALL_200 },
  'POST /v1/agreements': { path: () => '/v1/agreements', expect: TRUSTEE_WRITE },
  'GET /v1/agreements': { path: () => '/v1/agreements?limit=1', expect: ALL_200 },
  'POST /v1/borrowers': { path: () => '/v1/borrowers', expect: '400 403 403 400 400 403 403' },
  'GET /v1/borrowers': { path: () => '/v1/borrowers?limit=1', expect: ALL_200 },
  'GET /v1/borrowers/{code}': { path: (w) => `/v1/borrowers/${w.borrowerA}`, expect: '200 200 200 200 404 200 200' },
  'PUT /v1/borrowers/{code}/revenues': { path: (w) => `/v1/borrowers/${w.borrowerA}/revenues`, expect: '400 403 403 400 400 403 403' },
  'POST /v1/borrowers/{code}/qualifications': { path: (w) => `/v1/borrowers/${w.borrowerA}/qualifications`, expect: '400 403 403 400 400 403 403' },
  'PUT /v1/borrowers/{code}/qualifications/{id}': { path: (w) => `/v1/borrowers/${w.borrowerB}/qualifications/${w.qualificationB}`, expect: '400 403 403 400 400 403 403' },
  'PUT /v1/borrowers/{code}/research-cooperation': { path: (w) => `/v1/borrowers/${w.borrowerA}/research-cooperation`, expect: '400 403 403 400 400 403 403' },
  'POST /v1/agency-changes': { path: () => '/v1/agency-changes', expect: TRUSTEE_WRITE },
  'GET /v1/borrowers/{code}/agency-changes': { path: (w) => `/v1/borrowers/${w.borrowerA}/agency-changes`, expect: '200 200 200 200 404 200 200' },
  'GET /v1/policies': { path: () => '/v1/policies', expect: ALL_200 },
  'POST /v1/policies': { path: () => '/v1/policies', expect: '400 400 403 403 403 403 403' },
  'GET /v1/programmes': { path: () => '/v1/programmes', expect: ALL_200 },
  'POST /v1/programmes': { path: () => '/v1/programmes', expect: TRUSTEE_WRITE },
  'GET /v1/programmes/{code}': { path: () => '/v1/programmes/jilin-labour-cooperation', expect: ALL_200 },
  'POST /v1/programmes/documents': { path: () => '/v1/programmes/documents', expect: TRUSTEE_WRITE },
  'POST /v1/programmes/{code}/loans': { path: () => '/v1/programmes/jilin-labour-cooperation/loans', expect: '400 403 403 400 400 403 403' },
  'GET /v1/programmes/{code}/loans': { path: () => '/v1/programmes/jilin-labour-cooperation/loans?limit=1', expect: ALL_200 },
  'GET /v1/programme-loans/{id}': { path: () => `/v1/programme-loans/${randomUUID()}`, expect: '404 404 404 404 404 404 404' },
  'POST /v1/programmes/{code}/calculators/{id}': { path: () => '/v1/programmes/guangxi-employment-measures/calculators/job-retention-refund', expect: ALL_400 },
  'GET /v1/borrowers/{code}/profile': { path: (w) => `/v1/borrowers/${w.borrowerA}/profile`, expect: '200 200 200 200 404 200 200' },
  // An empty profile changes nothing (every attribute is optional): 200 for those who may edit the borrower.
  'PUT /v1/borrowers/{code}/profile': { path: (w) => `/v1/borrowers/${w.borrowerA}/profile`, expect: '200 403 403 200 404 403 403' },
  'PUT /v1/borrowers/{code}/headcounts': { path: (w) => `/v1/borrowers/${w.borrowerA}/headcounts`, expect: '400 403 403 400 400 403 403' },
  'POST /v1/borrowers/{code}/hires': { path: (w) => `/v1/borrowers/${w.borrowerA}/hires`, expect: '400 403 403 400 400 403 403' },
  'GET /v1/reference-rates': { path: () => '/v1/reference-rates', expect: ALL_200 },
  'GET /v1/banks/{code}/status-reasons': { path: (w) => `/v1/banks/${w.bankA}/status-reasons`, expect: ALL_200 },
  'POST /v1/banks/{code}/status-reasons': { path: (w) => `/v1/banks/${w.bankA}/status-reasons`, expect: TRUSTEE_WRITE },
  'GET /v1/agencies/{code}/status-reasons': { path: (w) => `/v1/agencies/${w.agency}/status-reasons`, expect: ALL_200 },
  'POST /v1/agencies/{code}/status-reasons': { path: (w) => `/v1/agencies/${w.agency}/status-reasons`, expect: TRUSTEE_WRITE },
  'POST /v1/banks/{code}/status-reasons/{reasonId}/lift': { path: (w) => `/v1/banks/${w.bankA}/status-reasons/${randomUUID()}/lift`, expect: TRUSTEE_WRITE },
  'POST /v1/agencies/{code}/status-reasons/{reasonId}/lift': { path: (w) => `/v1/agencies/${w.agency}/status-reasons/${randomUUID()}/lift`, expect: TRUSTEE_WRITE },
  'POST /v1/loans': { path: () => '/v1/loans', expect: '400 403 403 400 400 403 403' },
  'GET /v1/loans': { path: () => '/v1/loans?limit=1', expect: ALL_200 },
  'GET /v1/loans/{id}': { path: (w) => `/v1/loans/${w.loanA}`, expect: '200 200 200 200 404 200 200' },
  'POST /v1/loans/{id}/disbursement': { path: (w) => `/v1/loans/${w.loanA}/disbursement`, expect: '400 403 403 400 400 403 403' },
  'POST /v1/loans/{id}/confirmation-letter': { path: (w) => `/v1/loans/${w.loanA}/confirmation-letter`, expect: TRUSTEE_WRITE },
  'POST /v1/loans/{id}/agency-fees': { path: (w) => `/v1/loans/${w.loanA}/agency-fees`, expect: '400 403 403 403 403 400 403' },
  'GET /v1/loans/{id}/agency-fees': { path: (w) => `/v1/loans/${w.loanA}/agency-fees`, expect: '200 200 200 200 404 200 200' },
  // Programme flows (issue 18 item 3; docs/programme-flows.md): as claims — the bank files, the trustee reviews, the approver
  // approves, the custodian pays. Loan A is Henan's: its lists are empty and an unknown claim or subsidy is a 404 for everyone.
  'POST /v1/loans/{id}/pledge-claims': { path: (w) => `/v1/loans/${w.loanA}/pledge-claims`, expect: '400 403 403 400 400 403 403' },
  'GET /v1/loans/{id}/pledge-claims': { path: (w) => `/v1/loans/${w.loanA}/pledge-claims`, expect: ALL_200 },
  'GET /v1/loans/{id}/pledge-claims/{claimId}': { path: (w) => `/v1/loans/${w.loanA}/pledge-claims/${randomUUID()}`, expect: '404 404 404 404 404 404 404' },
  'POST /v1/loans/{id}/pledge-claims/{claimId}/review': { path: (w) => `/v1/loans/${w.loanA}/pledge-claims/${randomUUID()}/review`, expect: TRUSTEE_WRITE },
  'POST /v1/loans/{id}/pledge-claims/{claimId}/approval': { path: (w) => `/v1/loans/${w.loanA}/pledge-claims/${randomUUID()}/approval`, expect: '400 400 403 403 403 403 403' },
  'POST /v1/loans/{id}/pledge-claims/{claimId}/advance': { path: (w) => `/v1/loans/${w.loanA}/pledge-claims/${randomUUID()}/advance`, expect: CUSTODY_WRITE },
  'POST /v1/loans/{id}/pledge-claims/{claimId}/settlement': { path: (w) => `/v1/loans/${w.loanA}/pledge-claims/${randomUUID()}/settlement`, expect: '400 403 403 400 400 403 403' },
  'POST /v1/loans/{id}/pledge-claims/{claimId}/settlement/close': { path: (w) => `/v1/loans/${w.loanA}/pledge-claims/${randomUUID()}/settlement/close`, expect: CUSTODY_WRITE },
  'POST /v1/loans/{id}/interest-subsidies': { path: (w) => `/v1/loans/${w.loanA}/interest-subsidies`, expect: '400 400 403 403 403 403 403' },
  'GET /v1/loans/{id}/interest-subsidies': { path: (w) => `/v1/loans/${w.loanA}/interest-subsidies`, expect: ALL_200 },
  'GET /v1/loans/{id}/interest-subsidies/{subsidyId}': { path: (w) => `/v1/loans/${w.loanA}/interest-subsidies/${randomUUID()}`, expect: '404 404 404 404 404 404 404' },
  'POST /v1/loans/{id}/interest-subsidies/{subsidyId}/quarters/{quarter}/claim': {
    path: (w) => `/v1/loans/${w.loanA}/interest-subsidies/${randomUUID()}/quarters/2025Q3/claim`,
    expect: '400 403 403 400 400 403 403',
  },
  'POST /v1/loans/{id}/interest-subsidies/{subsidyId}/quarters/{quarter}/payment': {
    path: (w) => `/v1/loans/${w.loanA}/interest-subsidies/${randomUUID()}/quarters/2025Q3/payment`,
    expect: CUSTODY_WRITE,
  },
  'POST /v1/programme-funds/{book}/funding': { path: () => '/v1/programme-funds/subsidy/funding', expect: CUSTODY_WRITE },
  'GET /v1/programme-funds/{book}': { path: () => '/v1/programme-funds/subsidy', expect: '200 200 200 403 403 403 200' },
  'POST /v1/bank-reports': { path: () => '/v1/bank-reports', expect: '400 403 403 400 400 403 403' },
  'GET /v1/bank-reports': { path: (w) => `/v1/bank-reports?bankCode=${w.bankA}`, expect: '200 200 200 200 403 403 200' },
  'GET /v1/bank-reports/{id}': { path: (w) => `/v1/bank-reports/${w.reportA}`, expect: '200 200 200 200 404 404 200' },
  'GET /v1/bank-reports/{id}/rows': { path: (w) => `/v1/bank-reports/${w.reportA}/rows`, expect: '200 200 200 200 404 404 200' },
  'GET /v1/outstanding': { path: () => '/v1/outstanding', expect: '200 200 200 403 403 403 200' },
  'POST /v1/ledger/books': { path: () => '/v1/ledger/books', expect: '400 403 400 403 403 403 403' },
  'GET /v1/ledger/books/{code}': { path: () => '/v1/ledger/books/reserve', expect: '200 403 200 403 403 403 200' },
  'POST /v1/ledger/accounts': { path: () => '/v1/ledger/accounts', expect: '400 403 400 403 403 403 403' },
  'GET /v1/ledger/accounts': { path: () => '/v1/ledger/accounts?book=reserve&limit=1', expect: '200 403 200 403 403 403 200' },
  'GET /v1/ledger/accounts/{code}/balance': { path: (w) => `/v1/ledger/accounts/reserve:deposit:${w.bankA}/balance?book=reserve`, expect: '200 403 200 200 403 403 200' },
  'GET /v1/ledger/accounts/{code}/statement': { path: (w) => `/v1/ledger/accounts/reserve:deposit:${w.bankA}/statement?book=reserve`, expect: '200 403 200 200 403 403 200' },
  'POST /v1/ledger/entries': { path: () => '/v1/ledger/entries', expect: '400 403 400 403 403 403 403' },
  'GET /v1/ledger/entries': { path: () => '/v1/ledger/entries?book=reserve&limit=1', expect: '200 403 200 403 403 403 200' },
  'POST /v1/ledger/entries/batch': { path: () => '/v1/ledger/entries/batch', expect: '400 403 400 403 403 403 403' },
  'GET /v1/ledger/entries/{id}': { path: (w) => `/v1/ledger/entries/${w.entryA}`, expect: '200 403 200 403 403 403 200' },
  'POST /v1/ledger/entries/{id}/reverse': { path: (w) => `/v1/ledger/entries/${w.entryA}/reverse`, expect: '400 403 400 403 403 403 403' },
  'POST /v1/ledger/periods/{quarter}/close': { path: () => '/v1/ledger/periods/2020Q1/close', expect: '400 403 400 403 403 403 403' },
  'GET /v1/ledger/trial-balance': { path: () => '/v1/ledger/trial-balance?book=reserve', expect: '200 403 200 403 403 403 200' },
  'GET /v1/ledger/verify': { path: () => '/v1/ledger/verify?book=reserve', expect: '200 403 200 403 403 403 200' },
  'GET /v1/ledger/export': { path: () => '/v1/ledger/export?book=reserve&format=csv', expect: '200 403 200 403 403 403 200' },
  'POST /v1/reserve/funding': { path: () => '/v1/reserve/funding', expect: '400 403 400 403 403 403 403' },
  'POST /v1/reserve/interest': { path: () => '/v1/reserve/interest', expect: '400 403 400 403 403 403 403' },
  'GET /v1/reserve': { path: () => '/v1/reserve', expect: ALL_200 },
  'GET /v1/reserve/accounts': { path: () => '/v1/reserve/accounts', expect: '200 200 200 200 200 403 200' },
  'PUT /v1/reserve/accounts/{bankCode}': { path: (w) => `/v1/reserve/accounts/${w.bankA}`, expect: CUSTODY_WRITE },
  'POST /v1/reserve/accounts/{bankCode}/moves': { path: (w) => `/v1/reserve/accounts/${w.bankA}/moves`, expect: CUSTODY_WRITE },
  // The console's aggregates (issue 17): programme-wide pages; the claims pipeline for everyone, scoped.
  'GET /v1/console/overview': { path: () => '/v1/console/overview', expect: '200 200 200 403 403 403 200' },
  'GET /v1/console/risk': { path: () => '/v1/console/risk', expect: '200 200 200 403 403 403 200' },
  'GET /v1/console/claims-pipeline': { path: () => '/v1/console/claims-pipeline', expect: ALL_200 },
  'GET /v1/console/quarters': { path: () => '/v1/console/quarters', expect: '200 200 200 403 403 403 200' },
  'GET /v1/console/actors': { path: () => '/v1/console/actors?ids=00000000-0000-4000-8000-000000000000', expect: ALL_200 },
  'GET /v1/agencies/{code}/margin': { path: (w) => `/v1/agencies/${w.agency}/margin`, expect: '200 200 200 403 403 200 200' },
  'POST /v1/agencies/{code}/margin/deposits': { path: (w) => `/v1/agencies/${w.agency}/margin/deposits`, expect: '400 403 400 403 403 400 403' },
  'POST /v1/agencies/{code}/margin/withdrawals': { path: (w) => `/v1/agencies/${w.agency}/margin/withdrawals`, expect: '400 403 400 403 403 400 403' },
  'POST /v1/claims': { path: () => '/v1/claims', expect: '400 403 403 400 400 403 403' },
  'GET /v1/claims': { path: () => '/v1/claims?limit=1', expect: ALL_200 },
  'GET /v1/claims/statement': { path: (w) => `/v1/claims/statement?bankCode=${w.bankA}`, expect: '200 200 200 200 403 403 200' },
  'GET /v1/claims/{id}': { path: (w) => `/v1/claims/${w.claimA}`, expect: '200 200 200 200 404 200 200' },
  // No body: the trustee passes the guard and the claim (approved) is past review → 409.
  'POST /v1/claims/{id}/start-review': { path: (w) => `/v1/claims/${w.claimA}/start-review`, body: null, expect: '409 403 403 403 403 403 403' },
  'POST /v1/claims/{id}/review': { path: (w) => `/v1/claims/${w.claimA}/review`, expect: TRUSTEE_WRITE },
  'POST /v1/approval-batches': { path: () => '/v1/approval-batches', expect: '400 400 403 403 403 403 403' },
  'GET /v1/approval-batches/{id}': { path: (w) => `/v1/approval-batches/${w.batchMixed}`, expect: ALL_200 },
  'POST /v1/claims/{id}/payout': { path: (w) => `/v1/claims/${w.claimA}/payout`, expect: '400 403 400 403 403 403 403' },
  'POST /v1/claims/{id}/receipt': { path: (w) => `/v1/claims/${w.claimA}/receipt`, expect: '400 403 403 400 400 403 403' },
  'POST /v1/claims/{id}/recoveries': { path: (w) => `/v1/claims/${w.claimA}/recoveries`, expect: '400 403 403 400 400 403 403' },
  'POST /v1/claims/{id}/recoveries/{recoveryId}/refunded': { path: (w) => `/v1/claims/${w.claimA}/recoveries/${randomUUID()}/refunded`, expect: '400 403 400 400 400 403 403' },
  'POST /v1/claims/{id}/write-off': { path: (w) => `/v1/claims/${w.claimA}/write-off`, expect: '400 400 403 403 403 403 403' },
  'GET /v1/audit-log': { path: () => '/v1/audit-log?limit=1', expect: '200 403 403 403 403 403 200' },
  'GET /v1/audit-log/export': { path: () => '/v1/audit-log/export?from=2000-01-01&to=2000-01-01', expect: '200 403 403 403 403 403 200' },
  'GET /v1/audit-log/verify': { path: () => '/v1/audit-log/verify', expect: '200 403 403 403 403 403 200' },
  'GET /v1/calendar': { path: () => '/v1/calendar', expect: ALL_200 },
  'GET /v1/calendar/years/{year}': { path: () => '/v1/calendar/years/2025', expect: ALL_200 },
  'PUT /v1/calendar/years/{year}': { path: () => '/v1/calendar/years/2025', expect: TRUSTEE_WRITE },
  'POST /v1/calendar/working-days': { path: () => '/v1/calendar/working-days', expect: ALL_400 },
  // Quarter close (issue 12): results name every party's loss rate and margin — the four
  // programme-wide roles; 2099Q4 has not ended (409 for the trustee, nothing runs) and was never
  // closed (404 for the readers).
  'POST /v1/quarters/{quarter}/close': { path: () => '/v1/quarters/2099Q4/close', expect: '409 403 403 403 403 403 403' },
  'GET /v1/quarters/{quarter}': { path: () => '/v1/quarters/2099Q4', expect: QUARTER_READERS_404 },
  'GET /v1/quarters/{quarter}/report.xlsx': { path: () => '/v1/quarters/2099Q4/report.xlsx', expect: QUARTER_READERS_404 },
  // Disqualifying a dormant party is the approver's decision (issue #15).
  'POST /v1/quarters/{quarter}/dormancy/{id}/confirm': { path: () => `/v1/quarters/2099Q4/dormancy/${randomUUID()}/confirm`, expect: '403 400 403 403 403 403 403' },
  // A placement proposal lists every bank's balance and score.
  'GET /v1/placements': { path: () => '/v1/placements?quarter=2099Q4', expect: '200 200 200 200 200 403 200' },
  'POST /v1/placements': { path: () => '/v1/placements', expect: TRUSTEE_WRITE },
  'GET /v1/placements/{id}': { path: () => `/v1/placements/${randomUUID()}`, expect: '404 404 404 404 404 403 404' },
  'POST /v1/placements/{id}/approve': { path: () => `/v1/placements/${randomUUID()}/approve`, expect: '400 400 403 403 403 403 403' },
  'POST /v1/placements/{id}/reject': { path: () => `/v1/placements/${randomUUID()}/reject`, expect: '400 400 403 403 403 403 403' },
  'POST /v1/placements/{id}/transfers/{transferId}/executed': { path: () => `/v1/placements/${randomUUID()}/transfers/T1/executed`, expect: '403 403 400 403 403 403 403' },
  // Reconciliation (issue 14): the custodian's and trustee's work; reads also for approver and auditor.
  'POST /v1/reconciliations': { path: () => '/v1/reconciliations', expect: CUSTODY_WRITE },
  'GET /v1/reconciliations': { path: () => '/v1/reconciliations?limit=1', expect: '200 200 200 403 403 403 200' },
  'GET /v1/reconciliations/{id}': { path: () => `/v1/reconciliations/${randomUUID()}`, expect: QUARTER_READERS_404 },
  'POST /v1/reconciliations/{id}/matches': { path: () => `/v1/reconciliations/${randomUUID()}/matches`, expect: CUSTODY_WRITE },
  'POST /v1/reconciliations/{id}/rematch': { path: () => `/v1/reconciliations/${randomUUID()}/rematch`, expect: '404 403 404 403 403 403 403' },
  'POST /v1/reconciliations/{id}/matches/{matchId}/undo': { path: () => `/v1/reconciliations/${randomUUID()}/matches/${randomUUID()}/undo`, expect: CUSTODY_WRITE },
  'POST /v1/reconciliations/{id}/corrections': { path: () => `/v1/reconciliations/${randomUUID()}/corrections`, expect: CUSTODY_WRITE },
  'GET /v1/reconciliations/{id}/corrections': { path: () => `/v1/reconciliations/${randomUUID()}/corrections`, expect: QUARTER_READERS_404 },
  // Posting a correction: custodian, trustee or approver — by another token than the proposer's (four eyes).
  'POST /v1/reconciliations/{id}/corrections/{correctionId}/post': { path: () => `/v1/reconciliations/${randomUUID()}/corrections/${randomUUID()}/post`, expect: '404 404 404 403 403 403 403' },
  'POST /v1/reconciliations/{id}/close': { path: () => `/v1/reconciliations/${randomUUID()}/close`, expect: '404 403 404 403 403 403 403' },
  'GET /v1/reconciliations/{id}/report': { path: () => `/v1/reconciliations/${randomUUID()}/report`, expect: QUARTER_READERS_404 },
  'GET /v1/statement-mappings/{bankCode}': { path: (w) => `/v1/statement-mappings/${w.bankA}`, expect: '200 403 200 403 403 403 200' },
  'PUT /v1/statement-mappings/{bankCode}': { path: (w) => `/v1/statement-mappings/${w.bankA}`, expect: CUSTODY_WRITE },
  'GET /v1/payment-instructions': { path: () => '/v1/payment-instructions?limit=1', expect: '200 200 200 403 403 403 200' },
  'POST /v1/payment-instructions/{reference}/done': { path: () => '/v1/payment-instructions/RF-NO-SUCH/done', expect: CUSTODY_WRITE },
};

/**
 * Cross-party probes (issue #15 "Done when"): one party asking for another party's claim, loan,
 * reserve statement, report, batch, borrower, margin — every one must be 403 or 404.
 */
const CROSS_PARTY: { who: keyof AccessTokens; method: 'GET' | 'POST' | 'PUT'; path: (w: AccessWorld) => string; body?: unknown }[] = [
  { who: 'bankA', method: 'GET', path: (w) => `/v1/claims/${w.claimB}` },
  { who: 'bankA', method: 'GET', path: (w) => `/v1/claims/${w.claimB2}` },
  { who: 'bankA', method: 'GET', path: (w) => `/v1/loans/${w.loanB}` },
  { who: 'bankA', method: 'GET', path: (w) => `/v1/loans/${w.loanB}/agency-fees` },
  { who: 'bankA', method: 'GET', path: (w) => `/v1/ledger/accounts/reserve:deposit:${w.bankB}/statement?book=reserve` },
  { who: 'bankA', method: 'GET', path: (w) => `/v1/ledger/accounts/reserve:deposit:${w.bankB}/balance?book=reserve` },
  { who: 'bankA', method: 'GET', path: (w) => `/v1/ledger/accounts/reserve:payable:${w.bankB}/statement?book=reserve` },
  { who: 'bankA', method: 'GET', path: (w) => `/v1/bank-reports/${w.reportB}` },
  { who: 'bankA', method: 'GET', path: (w) => `/v1/bank-reports/${w.reportB}/rows` },
  { who: 'bankA', method: 'GET', path: (w) => `/v1/bank-reports?bankCode=${w.bankB}` },
  { who: 'bankA', method: 'GET', path: (w) => `/v1/claims/statement?bankCode=${w.bankB}` },
  { who: 'bankA', method: 'GET', path: (w) => `/v1/approval-batches/${w.batchB}` },
  { who: 'bankA', method: 'GET', path: (w) => `/v1/borrowers/${w.borrowerB}` },
  { who: 'bankA', method: 'GET', path: (w) => `/v1/borrowers/${w.borrowerB}/agency-changes` },
  { who: 'bankA', method: 'PUT', path: (w) => `/v1/borrowers/${w.borrowerB}/revenues`, body: { year: 2023, amount: '1.00' } },
  { who: 'bankA', method: 'PUT', path: (w) => `/v1/borrowers/${w.borrowerB}/research-cooperation`, body: { researchCooperation: true } },
  { who: 'bankA', method: 'POST', path: (w) => `/v1/claims/${w.claimB}/receipt`, body: { receivedOn: '2025-10-20' } },
  { who: 'bankA', method: 'POST', path: (w) => `/v1/claims/${w.claimB}/recoveries`, body: { recoveredOn: '2025-10-20', recovered: '1.00', agreedCosts: '0.00' } },
  { who: 'bankA', method: 'GET', path: (w) => `/v1/agencies/${w.agency}/margin` },
  { who: 'bankA', method: 'GET', path: (w) => `/v1/reserve/accounts?bankCode=${w.bankB}` },
  { who: 'bankA', method: 'PUT', path: (w) => `/v1/reserve/accounts/${w.bankB}`, body: { branch: 'Branch', accountNumber: '4100000000000001' } },
  { who: 'bankA', method: 'POST', path: (w) => `/v1/reserve/accounts/${w.bankA}/moves`, body: { branch: 'Branch', accountNumber: '4100000000000002', movedOn: '2025-10-20' } },
  { who: 'bankB', method: 'GET', path: (w) => `/v1/claims/${w.claimA}` },
  { who: 'bankB', method: 'GET', path: (w) => `/v1/loans/${w.loanA}` },
  { who: 'bankB', method: 'GET', path: (w) => `/v1/ledger/accounts/reserve:deposit:${w.bankA}/statement?book=reserve` },
  { who: 'bankB', method: 'GET', path: (w) => `/v1/bank-reports/${w.reportA}` },
  { who: 'bankB', method: 'GET', path: (w) => `/v1/borrowers/${w.borrowerA}` },
  { who: 'agencyOther', method: 'GET', path: (w) => `/v1/loans/${w.loanA}` },
  { who: 'agencyOther', method: 'GET', path: (w) => `/v1/claims/${w.claimA}` },
  { who: 'agencyOther', method: 'GET', path: (w) => `/v1/approval-batches/${w.batchMixed}` },
  { who: 'agencyOther', method: 'GET', path: (w) => `/v1/agencies/${w.agency}/margin` },
  { who: 'agencyOther', method: 'POST', path: (w) => `/v1/agencies/${w.agency}/margin/deposits`, body: { amount: '1.00', depositedOn: '2025-10-20' } },
  { who: 'agencyOther', method: 'POST', path: (w) => `/v1/loans/${w.loanA}/agency-fees`, body: { amount: '1.00', chargedOn: '2025-10-20' } },
  { who: 'agency', method: 'GET', path: (w) => `/v1/ledger/accounts/reserve:deposit:${w.bankA}/balance?book=reserve` },
  { who: 'agency', method: 'GET', path: (w) => `/v1/bank-reports/${w.reportA}` },
];

describe('authorization matrix: every route × every role (issue #15)', () => {
  let t: TestApp;
  let w: AccessWorld;
  let documented: string[];

  beforeAll(async () => {
    t = await startTestApp();
    w = await buildAccessWorld(t);
    const doc = await t.http.get('/docs-json').expect(200);
    documented = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
  });
  afterAll(async () => {
    await t.close();
  });

  function send(method: string, path: string, auth: string, body: unknown) {
    const req = (t.http as unknown as Record<string, (p: string) => import('supertest').Test>)[method.toLowerCase()](path).set('Authorization', auth);
    return body === null || body === undefined ? req : req.send(body as object);
  }

  it('every route in the OpenAPI document has a row, and every row is a documented route', () => {
    expect(documented.length).toBeGreaterThan(80);
    expect(documented.filter((r) => !(r in MATRIX))).toEqual([]);
    expect(Object.keys(MATRIX).filter((r) => !documented.includes(r))).toEqual([]);
  });

  it('each role gets the expected status on each route', async () => {
    const mismatches: string[] = [];
    const observed: string[] = [];
    for (const route of documented) {
      const row = MATRIX[route];
      if (!row) continue;
      const [method] = route.split(' ');
      const body = row.body !== undefined ? row.body : method === 'GET' || method === 'DELETE' ? null : {};
      const statuses: number[] = [];
      for (const role of COLUMNS) statuses.push((await send(method, row.path(w), w.tokens[role], body)).status);
      const got = statuses.join(' ');
      observed.push(`  '${route}': '${got}'`);
      if (got !== row.expect) mismatches.push(`${route}: expected [${row.expect}] got [${got}] (${COLUMNS.join(' ')})`);
    }
    if (process.env.MATRIX_PRINT) console.log(observed.join('\n'));
    expect(mismatches).toEqual([]);
    // ~1,000 requests (every route × seven tokens): minutes on a loaded machine, not the default minute.
  }, 300_000);

  it('no token at all: 401 on every route but /health', async () => {
    const wrong: string[] = [];
    for (const route of documented) {
      const [method] = route.split(' ');
      const res = await send(method, MATRIX[route].path(w), '', null);
      const expected = route === 'GET /health' ? 200 : 401;
      if (res.status !== expected) wrong.push(`${route}: ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('cross-party ids: 100% of the probes are refused with 403 or 404', async () => {
    const leaks: string[] = [];
    for (const probe of CROSS_PARTY) {
      const res = await send(probe.method, probe.path(w), w.tokens[probe.who], probe.body ?? null);
      if (res.status !== 403 && res.status !== 404) leaks.push(`${probe.who} ${probe.method} ${probe.path(w)} → ${res.status}`);
    }
    expect(leaks).toEqual([]);
    expect(CROSS_PARTY.length).toBeGreaterThanOrEqual(30);
  });
});
