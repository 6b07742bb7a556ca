import { SetMetadata } from '@nestjs/common';

export const AUDIT_EXPORT = 'audit:export';

/**
 * Marks a read route as an export (issue #15: every export is recorded in the audit trail, like
 * every write). The audit module's interceptor reads it; features only mark their routes.
 */
export const AuditExport = () => SetMetadata(AUDIT_EXPORT, true);

export const AUDIT_SKIP = 'audit:skip';

/**
 * Marks a POST that changes nothing (a pure calculation: the calculators, working-day
 * arithmetic): it is not a write, so it is neither recorded in the audit trail nor run in a
 * request transaction.
 */
export const NotAWrite = () => SetMetadata(AUDIT_SKIP, true);

export const COMMITS_ITS_OWN_WRITE = 'audit:commits-its-own-write';

/**
 * Marks a write whose service commits it in a transaction of its own making — the ledger's group
 * commit, which coalesces concurrent posts into one transaction (docs/ledger.md "Group commit") —
 * and takes the request's audit row into that transaction (TransactionScope.handOff). Without an
 * Idempotency-Key no request transaction is opened around such a write; with one, the idempotency
 * interceptor's transaction is the request's as for every write, and the service joins it.
 */
export const CommitsItsOwnWrite = () => SetMetadata(COMMITS_ITS_OWN_WRITE, true);
