import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/errors/domain-error';
import { AUTH_ERRORS } from './auth.errors';
import { AuthService, TokenResolution } from './auth.service';
import { AuthedRequest, IS_PUBLIC, RESOLVED_TOKEN, ROLES_KEY, Role } from '../common/access/principal';

/**
 * Every route needs `Authorization: Bearer <token>` unless marked @Public() (issue #2 item 7). The
 * token is looked up once per request: a request with a body was resolved by the edge before its
 * body was read (RESOLVED_TOKEN), and that resolution is reused unless this process revoked a token
 * since or it has expired (AuthService.stillValid).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([\x21-\x7e]{1,512})$/.exec(header) : null;
    if (!match) {
      throw new DomainError(AUTH_ERRORS.UNAUTHENTICATED, 'unauthenticated', 'Send "Authorization: Bearer <token>".');
    }
    // Resolved once per request: the edge did it already for a request with a body.
    const carried = request[RESOLVED_TOKEN] as TokenResolution | undefined;
    const principal = carried && this.auth.stillValid(carried, match[1]) ? carried.principal : await this.auth.authenticate(match[1]);
    if (!principal) throw new DomainError(AUTH_ERRORS.UNAUTHENTICATED, 'unauthenticated', 'The token is unknown, expired or revoked.');
    request.principal = principal;

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(principal.role)) {
      throw DomainError.forbidden(AUTH_ERRORS.FORBIDDEN, `This action needs one of the roles: ${roles.join(', ')}.`);
    }
    return true;
  }
}
