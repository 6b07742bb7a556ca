import { ACCESS_ERRORS } from '../common/errors/common.errors';

/**
 * Auth's stable error codes (STYLE.md "Errors"): the access codes that `src/common` also raises
 * (an unknown token 401, a role that may not 403, a party token acting for another party 403),
 * and those only the token endpoints raise.
 */
export const AUTH_ERRORS = {
  ...ACCESS_ERRORS,
  /** A bank or agency token without a partyCode, or another role's token with one (400). */
  PARTY_CODE: 'AUTH.PARTY_CODE',
  /** Revoking a token that does not exist or is already revoked (404). */
  TOKEN_NOT_FOUND: 'AUTH.TOKEN_NOT_FOUND',
  /** A bank or agency token for a party that does not exist (422). */
  PARTY_NOT_FOUND: 'AUTH.PARTY_NOT_FOUND',
} as const;
