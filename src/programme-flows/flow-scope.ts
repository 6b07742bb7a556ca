import type { Principal } from '../common/access/principal';

/**
 * Whether the principal may read a flow row (a pledge claim, a subsidy): a bank token its own bank's
 * rows, an agency token none (programme loans have no agency), the programme-wide roles all
 * (docs/access.md "Confidentiality"; the party wall holds the same on the tables).
 */
export function canReadFlowRow(principal: Principal | undefined, row: { bankCode: string }): boolean {
  if (principal?.role === 'bank') return principal.partyCode === row.bankCode;
  if (principal?.role === 'agency') return false;
  return true;
}
