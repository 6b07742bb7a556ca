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
