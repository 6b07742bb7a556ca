import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';

/** The roles a token can have (docs/architecture.md "Auth"). */
export const ROLES = ['trustee', 'custodian', 'bank', 'agency', 'approver', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: attached to the request by the auth guard. */
export interface Principal {
  tokenId: string;
  role: Role;
  partyCode: string | null;
}

/**
 * The bearer token of a request, resolved once: the edge looks it up before reading a body
 * (src/common/http/request-edge.ts) and leaves what it found here; the auth guard reuses it instead
 * of looking the token up a second time (issue 16). Opaque to everything but the auth module.
 */
export const RESOLVED_TOKEN = Symbol('resolvedToken');

export type AuthedRequest = Request & { principal?: Principal; [RESOLVED_TOKEN]?: object };

export const IS_PUBLIC = 'auth:isPublic';
export const ROLES_KEY = 'auth:roles';

/** No token needed (only /health; /docs is served outside the router). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only these roles may call the route; without it any valid token may. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest<AuthedRequest>().principal;
});
