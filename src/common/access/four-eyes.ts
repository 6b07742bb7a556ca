import type { Principal } from './principal';
import { DomainError, type ErrorDetail } from '../errors/domain-error';
import { ACCESS_ERRORS } from '../errors/common.errors';

/** One step that somebody made and the principal now wants to check (approve, confirm, …). */
export interface MadeStep {
  /** What was made, for the message: "claim 6f1c…". */
  target: string;
  /** The token that made it (null: made before makers were recorded, or by the system). */
  makerTokenId: string | null;
  /** Extra fields for the error detail (e.g. `{ claimId }`). */
  ids?: Record<string, string>;
}

/**
 * Four eyes (maker-checker, issue #15): the token that made a step may not check it — the token
 * that recommended a claim may not approve it, the one that proposed a placement may not approve
 * it, the one that proposed a reconciliation correction may not confirm it. Checks every step
 * and refuses with one 403 `AUTH.FOUR_EYES` listing each step the principal made itself.
 *
 * The rule is per token, which is what the service can see: an organisation that gives one person
 * two tokens defeats it, so tokens are issued per person (docs/access.md).
 *
 * Example: claim A recommended by token t1, claim B by t2; t1 approving [A, B] → 403
 * AUTH.FOUR_EYES with one detail for A.
 */
export function assertFourEyes(principal: Principal | undefined, checking: string, steps: readonly MadeStep[]): void {
  if (!principal) return;
  const own: ErrorDetail[] = steps
    .filter((s) => s.makerTokenId !== null && s.makerTokenId === principal.tokenId)
    .map((s) => ({ code: ACCESS_ERRORS.FOUR_EYES, message: `${s.target} was made with this token; another token must ${checking} it`, ...s.ids }));
  if (!own.length) return;
  throw DomainError.forbidden(ACCESS_ERRORS.FOUR_EYES, `Four eyes: the token that made a step cannot ${checking} it (${own.length} step(s)).`, own);
}
