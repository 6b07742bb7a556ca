import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/errors/domain-error';
import { AUTH_ERRORS } from './auth.errors';
import { AuthService } from './auth.service';
import { AuthedRequest, IS_PUBLIC, ROLES_KEY, Role } from '../common/access/principal';

/** Every route needs `Authorization: Bearer <token>` unless marked @Public() (issue #2 item 7). */
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
    const principal = await this.auth.authenticate(match[1]);
    if (!principal) throw new DomainError(AUTH_ERRORS.UNAUTHENTICATED, 'unauthenticated', 'The token is unknown, expired or revoked.');
    request.principal = principal;

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(principal.role)) {
      throw DomainError.forbidden(AUTH_ERRORS.FORBIDDEN, `This action needs one of the roles: ${roles.join(', ')}.`);
    }
    return true;
  }
}
