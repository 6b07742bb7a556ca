import { Injectable } from '@nestjs/common';
import { Brackets, EntityManager } from 'typeorm';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { decodeCursor, Page, toPage } from '../common/http/pagination';
import { AuditLogEntry, AuditLogHead, type SealedAuditLogEntry } from './audit-log.entity';
import { AuditSealer } from './audit-sealer';
import { AUDIT_ERRORS } from './audit.errors';
import { auditRecordOf, walkAuditChain, type AuditRecord, type ChainCheck, type StoredAuditRecord } from './domain/audit-chain';

/** What the interceptor knows about a request when it records it. */
export type AuditDraft = Omit<AuditRecord, 'seq' | 'occurredAt'>;

export interface AuditFilter {
  from?: string;
  to?: string;
  /** A token id, or a party code (bank or agency). */
  actor?: string;
  /** An action, e.g. `POST /v1/claims/:id/review`, or its start (`POST /v1/claims`). */
  action?: string;
  /** An id the request acted on (claim, loan, batch, bank code …). */
  target?: string;
  /** `ok` (status < 400) or `refused` (status ≥ 400). */
  outcome?: 'ok' | 'refused';
}

export interface AuditOut {
  seq: number;
  occurredAt: string;
  requestId: string | null;
  actor: { tokenId: string | null; role: string | null; partyCode: string | null };
  action: string;
  targetIds: string[];
  outcome: { status: number; code: string | null };
  hash: string;
}

/**
 * What verify answers: the chain check (`ok`, `entries`, `head`, `broken`), whether the head
 * agrees with its end, and the sealing: `unsealed` rows committed but not in the chain, and
 * `sealError`, the code of the seal pass that failed before the walk (then `ok` is false), or null.
 */
export type AuditVerify = ChainCheck & { headMatches: boolean; unsealed: number; sealError: string | null };

const isSeq = (v: unknown): v is string => typeof v === 'string' && /^[0-9]{1,19}$/.test(v);
const VERIFY_PAGE = 5_000;

/**
 * The audit trail (issue #15 item 1): appends rows and reads them.
 *
 * `record` joins the transaction open in the calling context (TransactionScope.run), so the row
 * commits or rolls back with the change it describes; `recordDetached` writes in a transaction of
 * its own, for refusals (whose change was rolled back) and exports. The row is inserted unsealed —
 * one INSERT, no lock on the chain's head — and chained after commit by the AuditSealer (issue
 * 16, docs/audit.md "Sealed after commit"), which is asked for a pass once the transaction has
 * ended. Reads, the export and verify wait for a pass first, so they see every row committed
 * before they were asked, sealed.
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly sealer: AuditSealer,
  ) {}

  async record(draft: AuditDraft): Promise<void> {
    await this.tx.run(async (m) => {
      await this.recordIn(m, draft);
      // Once the transaction has ended (committed: the row is there to seal); not awaited by the answer.
      await this.tx.whenSettled(async () => this.sealer.kick());
    });
  }

  /**
   * Inserts the row, unsealed, in `m` — a transaction another service opened (the ledger's group
   * commit, handed the row by the interceptor); the caller asks for a seal once it has committed.
   */
  async recordIn(m: EntityManager, draft: AuditDraft): Promise<void> {
    await m.query(
      `INSERT INTO audit_log (occurred_at, request_id, actor_token_id, actor_role, actor_party, action, target_ids, status, error_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [new Date(), draft.requestId, draft.actorTokenId, draft.actorRole, draft.actorParty, draft.action, [...draft.targetIds], draft.status, draft.errorCode],
    );
  }

  /** Asks for a seal pass (after a commit this service did not see end); never waits. */
  sealSoon(): void {
    this.sealer.kick();
  }

  async recordDetached(draft: AuditDraft): Promise<void> {
    await this.tx.runDetached(() => this.record(draft));
  }

  /** Rows newest first, filtered; `limit + 1` read to know whether there is more. */
  async list(filter: AuditFilter, limit: number, cursor?: string): Promise<Page<AuditOut>> {
    // A failed pass (logged) must not hide the trail: read what is sealed.
    await this.sealer.trySealed();
    const before = decodeCursor(cursor, isSeq);
    const qb = this.query(filter).orderBy('a.seq', 'DESC').take(limit + 1);
    if (before) qb.andWhere('a.seq < :before', { before });
    const rows = (await qb.getMany()) as SealedAuditLogEntry[];
    return toPage(rows, limit, auditOut, (r) => r.seq);
  }

  /** Every matching row, oldest first, in pages (for the CSV export). */
  async *all(filter: AuditFilter): AsyncGenerator<AuditOut[]> {
    await this.sealer.trySealed();
    let after = '0';
    for (;;) {
      const rows = await this.query(filter).andWhere('a.seq > :after', { after }).orderBy('a.seq', 'ASC').take(VERIFY_PAGE).getMany();
      if (!rows.length) return;
      yield (rows as SealedAuditLogEntry[]).map(auditOut);
      after = rows[rows.length - 1].seq as string;
    }
  }

  /** Walks the whole chain (domain/audit-chain.ts) and checks the head row agrees with its end. */
  async verify(): Promise<AuditVerify> {
    const sealFailure = await this.sealer.trySealed();
    const sealing = async () => ({ unsealed: await this.unsealedRows(), sealError: sealFailure?.code ?? null });
    const m = this.tx.manager;
    let check: ChainCheck = { ok: true, entries: 0, head: '0'.repeat(64), broken: null };
    let start = { seq: 0, hash: check.head };
    for (;;) {
      const rows = await m.getRepository(AuditLogEntry).createQueryBuilder('a').where('a.seq > :after', { after: String(start.seq) }).orderBy('a.seq', 'ASC').take(VERIFY_PAGE).getMany();
      if (!rows.length) break;
      check = walkAuditChain((rows as SealedAuditLogEntry[]).map(stored), start, check.entries);
      if (!check.ok) return { ...check, headMatches: false, ...(await sealing()) };
      start = { seq: Number(rows[rows.length - 1].seq), hash: check.head };
    }
    const head = await m.getRepository(AuditLogHead).findOneByOrFail({ id: 1 });
    const headMatches = Number(head.lastSeq) === start.seq && head.lastHash === check.head;
    // Rows that cannot be sealed are rows the chain cannot take: not ok, whatever the sealed part says.
    return { ...check, ok: check.ok && headMatches && !sealFailure, headMatches, ...(await sealing()) };
  }

  /** Committed rows without a place in the chain yet (a few after any write; many if sealing fails). */
  private async unsealedRows(): Promise<number> {
    const [r] = (await this.tx.manager.query(`SELECT count(*)::int AS n FROM audit_log WHERE seq IS NULL`)) as { n: number }[];
    return r.n;
  }

  private query(f: AuditFilter) {
    if (f.from && f.to && f.from > f.to) throw DomainError.invalid(AUDIT_ERRORS.RANGE, `from ${f.from} is after to ${f.to}.`);
    // Sealed rows only: an unsealed row has no place in the chain yet (docs/audit.md "Sealed after commit").
    const qb = this.tx.manager.getRepository(AuditLogEntry).createQueryBuilder('a').where('a.seq IS NOT NULL');
    // Dates are UTC days: from the start of `from` to the end of `to`.
    if (f.from) qb.andWhere('a.occurred_at >= :from::date', { from: f.from });
    if (f.to) qb.andWhere(`a.occurred_at < (:to::date + 1)`, { to: f.to });
    if (f.actor) qb.andWhere(new Brackets((w) => w.where('a.actor_token_id::text = :actor', { actor: f.actor }).orWhere('a.actor_party = :actor')));
    if (f.action) qb.andWhere('(a.action = :action OR a.action LIKE :prefix)', { action: f.action, prefix: `${f.action.replace(/[\\%_]/g, '\\$&')}/%` });
    if (f.target) qb.andWhere('a.target_ids @> ARRAY[:target]::text[]', { target: f.target });
    if (f.outcome === 'ok') qb.andWhere('a.status < 400');
    if (f.outcome === 'refused') qb.andWhere('a.status >= 400');
    return qb;
  }
}

function stored(r: SealedAuditLogEntry): StoredAuditRecord {
  return { seq: Number(r.seq), ...auditRecordOf(r), prevHash: r.prevHash, hash: r.hash };
}

function auditOut(r: SealedAuditLogEntry): AuditOut {
  return {
    seq: Number(r.seq),
    occurredAt: r.occurredAt.toISOString(),
    requestId: r.requestId,
    actor: { tokenId: r.actorTokenId, role: r.actorRole, partyCode: r.actorParty },
    action: r.action,
    targetIds: r.targetIds,
    outcome: { status: r.status, code: r.errorCode },
    hash: r.hash,
  };
}
