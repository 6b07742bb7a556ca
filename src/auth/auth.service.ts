import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { EntityManager, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { Role } from '../common/access/principal';
import { DomainError } from '../common/errors/domain-error';
import { decodeCursor, Page, toPage } from '../common/http/pagination';
import { PartiesService } from '../programme/parties.service';
import { ApiToken } from './api-token.entity';
import { AUTH_ERRORS } from './auth.errors';
import { Principal } from '../common/access/principal';
import { TransactionScope } from '../common/database/transaction-scope';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The shape of the tokens this service issues (OpenAPI `bearerFormat`). */
export const TOKEN_FORMAT = 'rf_ followed by 43 base64url characters (256 random bits)';

interface CachedToken {
  principal: Principal;
  expiresAtMs: number | null;
}

/**
 * A token resolved for one request (the edge resolves it before reading a body and leaves it on
 * the request; the guard reuses it: one look-up per request, issue 16). `revocations` is the
 * process's revocation count when it was resolved: a revocation in this process since then makes
 * the guard look the token up again, so revocation stays immediate in the revoking process even
 * for a request that was already past the edge.
 */
export interface TokenResolution {
  token: string;
  principal: Principal;
  expiresAtMs: number | null;
  revocations: number;
}

/** A token as `GET /v1/tokens` shows it: never its value or hash. */
export interface TokenOut {
  id: string;
  role: Role;
  partyCode: string | null;
  label: string;
  status: 'active' | 'expired' | 'revoked';
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  issuedBy: string | null;
}

const isCursor = (v: unknown): v is [string, string] => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string');

/**
 * API tokens (issue #2 item 7, issue #15 item 3): issued with an expiry, listed without secrets,
 * revoked; looked up through a short in-memory cache.
 *
 * The cache: a lookup (SHA-256 of the presented token → principal) is kept for
 * `tokenCacheSeconds` (default 5 s) in a bounded LRU (lru-cache). A revocation in this process
 * evicts the token at once; another process notices within that bound. Expiry is checked on every
 * hit. Unknown tokens are not cached, so a flood of made-up tokens cannot fill the cache. The
 * database lookup also stamps `last_used_at` (one UPDATE … RETURNING round trip, as the SELECT it
 * replaces), so "last used" is exact to the cache bound. Measured in docs/benchmarks.md.
 */
@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');
  private readonly cache: LRUCache<string, CachedToken> | null;
  /** Revocations made by this process; a resolution taken before the latest one is not reused. */
  private revocations = 0;

  constructor(
    @InjectRepository(ApiToken) private readonly tokens: Repository<ApiToken>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly parties: PartiesService,
    private readonly tx: TransactionScope,
  ) {
    this.cache = config.tokenCacheSeconds > 0 ? new LRUCache({ max: 10_000, ttl: config.tokenCacheSeconds * 1000 }) : null;
  }

  /** Tokens on the open transaction when there is one (issuing and revoking under an Idempotency-Key), else on the pool. */
  private get writable(): Repository<ApiToken> {
    return this.tx.manager.getRepository(ApiToken);
  }

  /** BOOTSTRAP_ADMIN_TOKEN → a trustee token with that value, created once (issue #2 item 7); it does not expire. */
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

  /** The principal of an active (not revoked, not expired) token, or null. */
  async authenticate(token: string): Promise<Principal | null> {
    return (await this.resolve(token))?.principal ?? null;
  }

  /**
   * An active token's principal with what the guard needs to reuse it within the same request
   * (`stillValid`), or null. Through the cache; on a miss, one UPDATE … RETURNING.
   */
  async resolve(token: string): Promise<TokenResolution | null> {
    const revocations = this.revocations;
    const sha = sha256Hex(token);
    const cached = this.cache?.get(sha);
    if (cached) {
      if (cached.expiresAtMs === null || cached.expiresAtMs > Date.now()) return { token, principal: cached.principal, expiresAtMs: cached.expiresAtMs, revocations };
      this.cache?.delete(sha);
      return null;
    }
    const rows = (await this.tokens.query(
      `UPDATE api_tokens SET last_used_at = now()
        WHERE token_sha256 = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
        RETURNING id, role, party_code, expires_at`,
      [sha],
    )) as [{ id: string; role: Role; party_code: string | null; expires_at: Date | null }[], number];
    const row = rows[0]?.[0];
    if (!row) return null;
    const principal: Principal = { tokenId: row.id, role: row.role, partyCode: row.party_code };
    const expiresAtMs = row.expires_at ? new Date(row.expires_at).getTime() : null;
    // Not cached when this process revoked a token while the look-up ran (it may be this one).
    if (revocations === this.revocations) this.cache?.set(sha, { principal, expiresAtMs });
    return { token, principal, expiresAtMs, revocations };
  }

  /**
   * Whether a resolution taken earlier in the same request may stand for `token` without a
   * second look-up: the same token, not expired since, and no revocation by this process since.
   */
  stillValid(resolution: TokenResolution, token: string): boolean {
    return (
      resolution.token === token &&
      resolution.revocations === this.revocations &&
      (resolution.expiresAtMs === null || resolution.expiresAtMs > Date.now())
    );
  }

  /**
   * Issues a new token; the plain value is returned once and never stored. A bank or agency token
   * only for a party that exists (422 AUTH.PARTY_NOT_FOUND). Expires after `expiresInDays`
   * (default TOKEN_TTL_DAYS).
   */
  async issue(
    role: Role,
    partyCode: string | null,
    label: string,
    options: { expiresInDays?: number; issuedBy?: string | null } = {},
  ): Promise<{ id: string; token: string; expiresAt: Date }> {
    if (partyCode !== null) await this.assertPartyExists(role, partyCode);
    const token = `rf_${randomBytes(32).toString('base64url')}`;
    const days = options.expiresInDays ?? this.config.tokenTtlDays;
    const expiresAt = new Date(Date.now() + days * 86_400_000);
    const row = await this.writable.save(this.writable.create({ tokenSha256: sha256Hex(token), role, partyCode, label, expiresAt, issuedBy: options.issuedBy ?? null }));
    return { id: row.id, token, expiresAt };
  }

  /** Revokes a token; it stops working in this process at once, in others within the cache bound. */
  async revoke(id: string): Promise<boolean> {
    const rows = (await this.writable.query(`UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING token_sha256`, [id])) as [
      { token_sha256: string }[],
      number,
    ];
    const revoked = rows[0] ?? [];
    if (!revoked.length) return false;
    const evict = () => {
      this.revocations++;
      for (const r of revoked) this.cache?.delete(r.token_sha256);
    };
    evict();
    // Again once the revoking transaction has ended (under an Idempotency-Key it is the request's):
    // a look-up made before the commit saw the token still active and may have cached it.
    await this.tx.whenSettled(() => Promise.resolve(evict()));
    return true;
  }

  /** Whether a token of `role` can be used now (not revoked, not expired): e.g. whether an approver exists yet. Pass the caller's transaction's manager when one is open. */
  async hasUsableToken(role: Role, manager?: EntityManager): Promise<boolean> {
    const rows = (await (manager ?? this.tokens.manager).query(`SELECT 1 FROM api_tokens WHERE role = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) LIMIT 1`, [role])) as unknown[];
    return rows.length > 0;
  }

  /**
   * Who acted, for people reading a record's steps (the console's claim drill-down, issue 17): each
   * known token id with its role, party and label, revoked and expired tokens included (they acted
   * when they were valid). Ids that are no token are left out. Pass the request's transaction's
   * manager when one is open (a bank's or an agency's request runs in one).
   */
  async describe(ids: readonly string[], manager?: EntityManager): Promise<{ id: string; role: Role; partyCode: string | null; label: string }[]> {
    if (ids.length === 0) return [];
    const rows = (await (manager ?? this.tokens.manager).query(`SELECT id, role, party_code, label FROM api_tokens WHERE id = ANY($1::uuid[]) ORDER BY id`, [ids])) as {
      id: string;
      role: Role;
      party_code: string | null;
      label: string;
    }[];
    return rows.map((r) => ({ id: r.id, role: r.role, partyCode: r.party_code, label: r.label }));
  }

  /** Every token, newest first, without secrets; optionally one role or party. */
  async list(filter: { role?: Role; partyCode?: string }, limit: number, cursor?: string): Promise<Page<TokenOut>> {
    const after = decodeCursor(cursor, isCursor);
    const qb = this.tokens.createQueryBuilder('t').orderBy('t.created_at', 'DESC').addOrderBy('t.id', 'DESC').take(limit + 1);
    if (filter.role) qb.andWhere('t.role = :role', { role: filter.role });
    if (filter.partyCode) qb.andWhere('t.party_code = :party', { party: filter.partyCode });
    if (after) qb.andWhere('(t.created_at, t.id) < (:at::timestamptz, :id::uuid)', { at: after[0], id: after[1] });
    const rows = await qb.getMany();
    const now = Date.now();
    return toPage(rows, limit, (r) => tokenOut(r, now), (r) => [r.createdAt.toISOString(), r.id]);
  }

  private async assertPartyExists(role: Role, code: string): Promise<void> {
    try {
      if (role === 'bank') await this.parties.getBank(code);
      else await this.parties.getAgency(code);
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'not_found') {
        throw DomainError.rule(AUTH_ERRORS.PARTY_NOT_FOUND, `No ${role} with code ${code}: a party token is issued only for an existing party.`, [
          { code: AUTH_ERRORS.PARTY_NOT_FOUND, field: 'partyCode', message: `no ${role} ${code}` },
        ]);
      }
      throw error;
    }
  }
}

function tokenOut(r: ApiToken, now: number): TokenOut {
  const status = r.revokedAt ? 'revoked' : r.expiresAt && r.expiresAt.getTime() <= now ? 'expired' : 'active';
  return {
    id: r.id,
    role: r.role,
    partyCode: r.partyCode,
    label: r.label,
    status,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    issuedBy: r.issuedBy,
  };
}
