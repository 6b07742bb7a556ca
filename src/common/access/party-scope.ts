import type { Principal } from './principal';
import { DomainError } from '../errors/domain-error';
import { ACCESS_ERRORS } from '../errors/common.errors';

/**
 * Party scoping (docs/programme-and-loans.md "Roles"): a bank token acts only for its own bank
 * (its partyCode must equal the bankCode it writes or reads), an agency token only for its own
 * agency. Programme-wide roles (trustee, custodian, approver, auditor) are not scoped.
 */
export function assertBankScope(principal: Principal | undefined, bankCode: string): void {
  if (principal?.role === 'bank' && principal.partyCode !== bankCode) {
    throw DomainError.forbidden(ACCESS_ERRORS.PARTY_SCOPE, `A token of bank ${principal.partyCode} cannot act for bank ${bankCode}.`);
  }
  if (principal?.role === 'agency') {
    throw DomainError.forbidden(ACCESS_ERRORS.PARTY_SCOPE, 'An agency token cannot act for a bank.');
  }
}

export function assertAgencyScope(principal: Principal | undefined, agencyCode: string): void {
  if (principal?.role === 'agency' && principal.partyCode !== agencyCode) {
    throw DomainError.forbidden(ACCESS_ERRORS.PARTY_SCOPE, `A token of agency ${principal.partyCode} cannot act for agency ${agencyCode}.`);
  }
  if (principal?.role === 'bank') {
    throw DomainError.forbidden(ACCESS_ERRORS.PARTY_SCOPE, 'A bank token cannot act for an agency.');
  }
}

/** Whether the principal may read a loan of this bank and agency. */
export function canReadLoan(principal: Principal | undefined, loan: { bankCode: string; agencyCode: string }): boolean {
  if (principal?.role === 'bank') return principal.partyCode === loan.bankCode;
  if (principal?.role === 'agency') return principal.partyCode === loan.agencyCode;
  return true;
}

/**
 * A ledger account read by a party token: a bank token only for an account of its own bank
 * (`ownerBank`, which the caller derives from the chart of accounts), an agency token never.
 * Programme-wide roles are not scoped.
 */
export function assertAccountScope(principal: Principal | undefined, ownerBank: string | null, accountCode: string): void {
  if (principal?.role !== 'bank' && principal?.role !== 'agency') return;
  if (principal.role === 'bank' && ownerBank !== null && ownerBank === principal.partyCode) return;
  throw DomainError.forbidden(ACCESS_ERRORS.PARTY_SCOPE, `A token of ${principal.role} ${principal.partyCode} cannot read account ${accountCode}.`);
}
