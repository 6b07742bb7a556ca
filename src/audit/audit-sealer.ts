import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { TransactionScope } from '../common/database/transaction-scope';
import { withinTime } from '../common/runtime/within-time';
import { AuditLogEntry } from './audit-log.entity';
import { AUDIT_ERRORS } from './audit.errors';
import { auditRecordOf, sealAuditRows } from './domain/audit-chain';

/** Why a seal pass failed: an error code and the database's message. */
export interface SealFailure {
  code: string;
  message: string;
}

/** Rows sealed per transaction: the head lock is held for one batch's read, update and head move. */
const SEAL_BATCH = 1_000;
/** How often a pass runs with nothing asking for one (rows another instance wrote, a missed kick). */
const SEAL_EVERY_MS = 1_000;
/**
 * A write's commit asks for a pass this long after it, not at once: the writes of that window
 * share one pass (one look, one transaction) instead of one each. Nobody waits for it — the
 * trail's reads ask for a pass of their own and wait for that one.
 */
export const SEAL_KICK_DELAY_MS = 100;
/** The longest the last pass on shutdown may take before sealing stops. */
const SHUTDOWN_PASS_MS = 5_000;

/**
 * Chains committed audit rows (issue 16, docs/audit.md "Sealed after commit").
 *
 * A request's transaction inserts its audit row unsealed and never locks the head, so concurrent
 * writes commit side by side. A **pass** seals every committed unsealed row: in batches of up to
 * 1,000, each a short transaction of its own that locks the head row (`FOR UPDATE`: sealers of
 * several instances take turns), reads the unsealed rows in id order (the id is an identity, so
 * insert order), gives them `seq` head + 1, head + 2, … with their hashes (`sealAuditRows`), and
 * moves the head. Every reader reproduces that order from `seq`; the database refuses any other
 * update of a row and any head move that does not land on the last sealed row (migration
 * 1733910000000).
 *
 * Passes are single-flight: one at a time per process. A pass runs at start-up, every second, and
 * SEAL_KICK_DELAY_MS after a request's commit asked for one (`kick()`, which returns at once); `sealed()` resolves once a pass that
 * started after the call has ended — so every row committed before the call is sealed (the audit
 * trail's reads, export and verify call it). A pass that fails (the database away) is logged; the
 * rows stay unsealed and the next pass takes them — nothing is lost, because the row committed
 * with its change.
 */
@Injectable()
export class AuditSealer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AuditSealer');
  private current: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private kickTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly tx: TransactionScope) {}

  onApplicationBootstrap(): void {
    if (this.stopped) return;
    this.passNow();
    this.timer = setInterval(() => this.passNow(), SEAL_EVERY_MS);
    this.timer.unref();
  }

  /**
   * On shutdown, before the pool closes: one last pass, so the rows this process committed are
   * sealed by it rather than left for the next process (a commit's pass waits SEAL_KICK_DELAY_MS);
   * at most SHUTDOWN_PASS_MS, then sealing stops. A pass that fails or runs over leaves its rows
   * to the next process, as a crash would.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.stopped) await withinTime(() => this.trySealed(), SHUTDOWN_PASS_MS);
    await this.stop();
  }

  /**
   * No more passes in this process (shutdown; a test that stands for a crash between commit and
   * seal). Rows committed from now on stay unsealed until a process on the same database seals them.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.cancelKick();
    await Promise.all([this.current, this.next].map((p) => p?.catch(() => undefined)));
  }

  /**
   * Asks for a pass SEAL_KICK_DELAY_MS from now, coalesced with one already asked for; never
   * waits, never throws.
   */
  kick(): void {
    if (this.stopped || this.kickTimer) return;
    this.kickTimer = setTimeout(() => {
      this.kickTimer = null;
      this.passNow();
    }, SEAL_KICK_DELAY_MS);
    this.kickTimer.unref();
  }

  private cancelKick(): void {
    if (this.kickTimer) clearTimeout(this.kickTimer);
    this.kickTimer = null;
  }

  /** A pass now (start-up, every second, a kick's delay over); never throws. */
  private passNow(): void {
    if (this.stopped) return;
    this.sealed().catch((error: unknown) => this.logger.warn(`audit rows not sealed yet (the next pass takes them): ${error instanceof Error ? error.message : String(error)}`));
  }

  /**
   * Resolves once a pass that started after this call has ended: every row committed before the
   * call is then sealed. Callers that ask while a pass runs share the one after it. Must not be
   * awaited inside an open transaction (the embedded database serves one transaction at a time).
   */
  sealed(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.current) {
      // This pass takes every row committed so far: a commit's pending kick is answered by it.
      this.cancelKick();
      this.current = this.pass().finally(() => {
        this.current = null;
      });
      return this.current;
    }
    this.next ??= this.current
      .catch(() => undefined)
      .then(() => {
        this.next = null;
        return this.sealed();
      });
    return this.next;
  }

  /**
   * Like `sealed()`, but never throws: null once the pass succeeded, else the failure (logged) —
   * its error code when the database gave one (`AUDIT.APPEND_ONLY`), else `AUDIT.SEAL_FAILED`.
   * For the reads, which then read what is sealed, and verify, which reports the failure.
   */
  async trySealed(): Promise<SealFailure | null> {
    try {
      await this.sealed();
      return null;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`audit rows could not be sealed; reading what is sealed: ${message}`);
      return { code: /^(AUDIT\.[A-Z_]+):/.exec(message)?.[1] ?? AUDIT_ERRORS.SEAL_FAILED, message };
    }
  }

  private async pass(): Promise<void> {
    // Nothing to seal (the usual case between writes, and every periodic pass of an idle
    // service): no transaction, no head lock. A row committed before this look is seen by it.
    const [pending] = await this.tx.queryDetached<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM audit_log WHERE seq IS NULL) AS any`);
    if (!pending?.any) return;
    for (;;) {
      const sealed = await this.sealBatch();
      if (sealed < SEAL_BATCH || this.stopped) return;
    }
  }

  /** One batch in a transaction of its own; how many rows it sealed. */
  private sealBatch(): Promise<number> {
    return this.tx.runDetached(async (m) => {
      const [head] = (await m.query(`SELECT last_seq, last_hash FROM audit_log_head WHERE id = 1 FOR UPDATE`)) as { last_seq: string; last_hash: string }[];
      const rows = await m.getRepository(AuditLogEntry).createQueryBuilder('a').where('a.seq IS NULL').orderBy('a.id', 'ASC').take(SEAL_BATCH).getMany();
      if (!rows.length) return 0;
      const seals = sealAuditRows({ seq: Number(head.last_seq), hash: head.last_hash }, rows.map(auditRecordOf));
      const [, updated] = (await m.query(
        `UPDATE audit_log a SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash
           FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS v(id, seq, prev_hash, hash)
          WHERE a.id = v.id AND a.seq IS NULL`,
        [rows.map((r) => r.id), seals.map((s) => String(s.seq)), seals.map((s) => s.prevHash), seals.map((s) => s.hash)],
      )) as [unknown, number];
      // Under the head lock nobody else seals; a row not updated here is a broken invariant.
      if (updated !== rows.length) throw new Error(`audit seal: ${updated} of ${rows.length} rows updated`);
      const last = seals[seals.length - 1];
      await m.query(`UPDATE audit_log_head SET last_seq = $1, last_hash = $2 WHERE id = 1`, [String(last.seq), last.hash]);
      return rows.length;
    });
  }
}
