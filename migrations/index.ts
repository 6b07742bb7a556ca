import { Foundation1732300000000 } from './1732300000000-foundation';
import { ProgrammeLoans1732500000000 } from './1732500000000-programme-loans';
import { Ledger1732400000000 } from './1732400000000-ledger';
import { ClaimsReserveMargins1732600000000 } from './1732600000000-claims-reserve-margins';
import { PolicyProgrammesReferenceRates1732700000000 } from './1732700000000-policy-programmes-reference-rates';
import { QualificationsRenewals1732710000000 } from './1732710000000-qualifications-renewals';
import { PartyStatusReasons1732720000000 } from './1732720000000-party-status-reasons';
import { ClaimsBankAnnualCap1732730000000 } from './1732730000000-claims-bank-annual-cap';
import { HolidayCalendars1732740000000 } from './1732740000000-holiday-calendars';
import { IdempotencyRequestTransaction1733100000000 } from './1733100000000-idempotency-request-transaction';
import { ApplicationRole1733110000000 } from './1733110000000-application-role';
import { LedgerVerify1733200000000 } from './1733200000000-ledger-verify';
import { Quarters1733300000000 } from './1733300000000-quarters';
import { ClaimActors1733400000000 } from './1733400000000-claim-actors';
import { TokenLifecycle1733410000000 } from './1733410000000-token-lifecycle';
import { BorrowerOwner1733420000000 } from './1733420000000-borrower-owner';
import { AuditLog1733430000000 } from './1733430000000-audit-log';
import { Reconciliation1733500000000 } from './1733500000000-reconciliation';
import { LedgerGuardConditions1733600000000 } from './1733600000000-ledger-guard-conditions';
import { ReconciliationWindowPolicy1733700000000 } from './1733700000000-reconciliation-window-policy';
import { AuditLogApplicationRole1733710000000 } from './1733710000000-audit-log-application-role';
import { PlacementCycle1733800000000 } from './1733800000000-placement-cycle';
import { PlacementMinimumTransferPolicy1733805000000 } from './1733805000000-placement-minimum-transfer-policy';
import { ReserveAccounts1733810000000 } from './1733810000000-reserve-accounts';
import { LedgerLeanIndexes1733840000000 } from './1733840000000-ledger-lean-indexes';
import { LoanFigureSnapshots1733880000000 } from './1733880000000-loan-figure-snapshots';
import { AuditLogSealedAfterCommit1733910000000 } from './1733910000000-audit-log-sealed-after-commit';
import { AuditLogSealInChain1733930000000 } from './1733930000000-audit-log-seal-in-chain';
import { PartyWall1733820000000 } from './1733820000000-party-wall';
import { ProgrammesAsData1733850000000 } from './1733850000000-programmes-as-data';
import { ProgrammeFlows1733860000000 } from './1733860000000-programme-flows';

/**
 * Every migration, in order. Listed explicitly (not globbed) so the same set runs from ts-node,
 * jest and the compiled build. Add new migrations at the end.
 */
export const ALL_MIGRATIONS = [
  Foundation1732300000000, ProgrammeLoans1732500000000, Ledger1732400000000, ClaimsReserveMargins1732600000000, PolicyProgrammesReferenceRates1732700000000,
  QualificationsRenewals1732710000000,
  PartyStatusReasons1732720000000,
  ClaimsBankAnnualCap1732730000000,
  HolidayCalendars1732740000000,
  IdempotencyRequestTransaction1733100000000,
  ApplicationRole1733110000000,
  LedgerVerify1733200000000,
  Quarters1733300000000,
  ClaimActors1733400000000,
  TokenLifecycle1733410000000,
  BorrowerOwner1733420000000,
  AuditLog1733430000000,
  Reconciliation1733500000000,
  LedgerGuardConditions1733600000000,
  ReconciliationWindowPolicy1733700000000,
  AuditLogApplicationRole1733710000000,
  PlacementCycle1733800000000,
  PlacementMinimumTransferPolicy1733805000000,
  ReserveAccounts1733810000000,
  PartyWall1733820000000,
  LedgerLeanIndexes1733840000000,
  ProgrammesAsData1733850000000,
  ProgrammeFlows1733860000000,
  LoanFigureSnapshots1733880000000,
  AuditLogSealedAfterCommit1733910000000,
  AuditLogSealInChain1733930000000,
];
