import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { Role } from '../common/access/principal';
import { ApiToken } from './api-token.entity';
import { Principal } from '../common/access/principal';
import { TransactionScope } from '../common/database/transaction-scope';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');

  constructor(
    @InjectRepository(ApiToken) private readonly tokens: Repository<ApiToken>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tx: TransactionScope,
  ) {}

  /** Tokens on the open transaction when there is one (issuing and revoking under an Idempotency-Key), else on the pool. */
  private get writable(): Repository<ApiToken> {
    return this.tx.manager.getRepository(ApiToken);
  }

  /** BOOTSTRAP_ADMIN_TOKEN → a trustee token with that value, created once (issue #2 item 7). */
  async onApplicationBootstrap(): Promise<void> {
    const token = this.config.bootstrapAdminToken;
    if (!token) return;
    const inserted = await this.tokens
      .createQueryBuilder()
      .insert()
      .values({ tokenSha256: sha256Hex(token), role: 'trustee', partyCode: null, label: 'bootstrap admin' })
      .orIgnore()
      .returning(['id'])
      .execute();
    if (inserted.identifiers.length && inserted.identifiers[0]) this.logger.log('bootstrap trustee token created');
  }

  async authenticate(token: string): Promise<Principal | null> {
    const row = await this.tokens.findOne({ where: { tokenSha256: sha256Hex(token), revokedAt: IsNull() } });
    return row ? { tokenId: row.id, role: row.role, partyCode: row.partyCode } : null;
  }

  /** Issues a new token; the plain value is returned once and never stored. */
  async issue(role: Role, partyCode: string | null, label: string): Promise<{ id: string; token: string }> {
    const token = `rf_${randomBytes(32).toString('base64url')}`;
    const row = await this.writable.save(this.writable.create({ tokenSha256: sha256Hex(token), role, partyCode, label }));
    return { id: row.id, token };
  }

  async revoke(id: string): Promise<boolean> {
    const result = await this.writable.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }
}
