import { DomainError } from '../common/errors/domain-error';

/**
 * The programme's stable error codes (STYLE.md "Errors"): parties (banks, agencies), tri-party
 * agreements, borrowers and changes of agency. Kinds decide the HTTP status: `not_found` 404,
 * `conflict` 409, `invalid` 400. The rules in domain/ raise theirs from domain/programme-rules.errors.ts.
 */
export const PROGRAMME_ERRORS = {
  BANK_NOT_FOUND: 'BANK.NOT_FOUND',
  BANK_DUPLICATE_CODE: 'BANK.DUPLICATE_CODE',
  AGENCY_NOT_FOUND: 'AGENCY.NOT_FOUND',
  AGENCY_DUPLICATE_CODE: 'AGENCY.DUPLICATE_CODE',
  AGREEMENT_DUPLICATE: 'AGREEMENT.DUPLICATE',
  BORROWER_NOT_FOUND: 'BORROWER.NOT_FOUND',
  BORROWER_DUPLICATE_CODE: 'BORROWER.DUPLICATE_CODE',
  BORROWER_REVENUE_DUPLICATE_YEAR: 'BORROWER.REVENUE_DUPLICATE_YEAR',
  AGENCY_CHANGE_SAME_AGENCY: 'AGENCY_CHANGE.SAME_AGENCY',
  PROGRAMME_DUPLICATE_CODE: 'PROGRAMME.DUPLICATE_CODE',
  STATUS_REASON_NOT_FOUND: 'STATUS_REASON.NOT_FOUND',
  STATUS_REASON_NOT_LIFTABLE: 'STATUS_REASON.NOT_LIFTABLE',
  STATUS_REASON_ALREADY_LIFTED: 'STATUS_REASON.ALREADY_LIFTED',
  BORROWER_QUALIFICATION_NOT_FOUND: 'BORROWER.QUALIFICATION_NOT_FOUND',
} as const;

/** The errors built in more than one place. */
export const programmeErrors = {
  bankNotFound(code: string): DomainError {
    return DomainError.notFound(PROGRAMME_ERRORS.BANK_NOT_FOUND, `No bank with code ${code}.`);
  },
  agencyNotFound(code: string): DomainError {
    return DomainError.notFound(PROGRAMME_ERRORS.AGENCY_NOT_FOUND, `No agency with code ${code}.`);
  },
};
