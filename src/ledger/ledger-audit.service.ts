import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { TransactionScope } from '../common/database/transaction-scope';
import { quarterLastDay } from '../common/calendar/quarter';
import { ReadReplica } from '../common/database/read-replica';
import { LoopTurns } from '../common/runtime/loop-turns';
import { Clock } from '../common/clock/clock';
import { DomainError } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import { CanonicalVersion, recordedAtText } from './domain/canonical';
import { BrokenLink, CHAIN_ORIGIN, ChainStart, ChainVerifier } from './domain/chain-verifier';
import { ledgerErrors } from './domain/ledger.errors';
import { BalanceMismatch, HEAVY_READ_STATEMENT_TIMEOUT_MS, STORED_INSTANT_SQL, WALK_BATCH, balanceMismatches, boundStatements, readBook, stopIfGone } from './ledger-rows';
import { LEDGER_ERRORS } from './domain/ledger.errors';
import { SingleFlight } from './single-flight';

export interface VerifyReport {
  ok: boolean;
  book: string;
  /** Length of the chain up to `head` (the entries before a checkpoint included). */
  entries: number;
  head: string;
  firstBroken: BrokenLink | null;
  /** Every balance row against the sum of its lines (always all of them, even on an incremental walk). */
  balances: { ok: boolean; mismatches: BalanceMismatch[] };
  /**
   * What this run walked: `full` from the first entry, else from the last verified head (`from` =
   * its sequence + 1). `checkpoint`: the book's checkpoint when the call did not ask for a full
   * walk, and whether it still matched the chain (if not, the walk was full).
   */
  walk: { full: boolean; from: number; through: number; entries: number; checkpoint: { sequence: number; matched: boolean } | null };
}

export interface VerifyOptions {
  /** Walk the whole chain, not only what was posted since the last verified head. */
  full?: boolean;
  /** Fires when the caller's client has gone: the walk stops between batches. */
  signal?: AbortSignal;
}

export interface PeriodClose {
  book: string;
  quarter: string;
  closedThrough: string;
  lastSequence: number;
  headHash: string;
  closedAt: Date;
}

/** An entry row as verify reads it: every field as PostgreSQL gives it back, as text. */
interface StoredEntryRow {
  id: string;
  book: string;
  sequence: string;
  effective_date: string;
  recorded_at: string;
  memo: string;
  link_type: string | null;
  link_id: string | null;
  reversal_of: string | null;
  prev_hash: string;
  hash: string;
  canonical_version: number;
}

interface StoredLineRow {
  entry_id: string;
  line_no: number;
  code: string;
  side: 'D' | 'C';
  amount: string;
}

/**
 * The book's audit trail: verify walks the hash chain and checks the balance rows against the
 * lines; closing a period fixes a quarter (no entry dated in it afterwards) and records the head
 * it was closed at.
 */
@Injectable()
export class LedgerAuditService {
  private readonly logger = new Logger('LedgerVerify');
  private readonly runs = new SingleFlight<VerifyReport>();
  /** See HEAVY_READ_STATEMENT_TIMEOUT_MS; a property so that a test can shorten it. */
  statementTimeoutMs = HEAVY_READ_STATEMENT_TIMEOUT_MS;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionScope,
    private readonly clock: Clock,
    private readonly replica: ReadReplica,
  ) {}

  /**
   * Verifies a book (docs/ledger.md "Verify"): walks the hash chain from the last verified head
   * (`full`: from the first entry), recomputing each hash from the stored row, then checks every
   * balance row against the sum of its lines. One run per book at a time: concurrent callers
   * share it (an incremental caller also joins a full run in progress); it stops when its last
   * caller has gone. An intact chain's head becomes the book's new checkpoint; a broken one
   * removes the checkpoint, so that every later verify walks the whole chain and reports it.
   */
  verify(book: string, options: VerifyOptions = {}): Promise<VerifyReport> {
    const full = options.full === true;
    // Runs on the replica and on the primary are not shared: a caller that must read its own
    // writes (read-replica.ts) never joins a walk of the replica.
    const where = this.replica.routedSource() ? ':replica' : '';
    const keys = full ? [`${book}:full${where}`] : [`${book}:incremental${where}`, `${book}:full${where}`];
    return this.runs.run(keys, options.signal, (signal) => this.walk(book, full, signal));
  }

  /** Books with a verify in progress, and its kind ("reserve:full"); for tests and diagnostics. */
  get verifiesRunning(): string[] {
    return this.runs.running;
  }

  private async walk(book: string, full: boolean, signal: AbortSignal): Promise<VerifyReport> {
    // On the replica when this request was routed there (read-replica.ts); the checkpoint is written on the primary below.
    const report = await (this.replica.routedSource() ?? this.dataSource).transaction('REPEATABLE READ', async (m) => {
      await boundStatements(m, this.statementTimeoutMs);
      const head = await readBook(m, book);
      // A checkpoint that no longer matches the chain (its entry changed since, or it is beyond
      // the head) is not trusted: the walk starts from the first entry and finds what changed.
      const checkpoint = full ? null : await readCheckpoint(m, book, head.lastSequence);
      const start = checkpoint?.matches ? checkpoint.start : CHAIN_ORIGIN;
      const verifier = new ChainVerifier(start);
      const turns = new LoopTurns();
      let after = start.sequence;
      while (after < head.lastSequence && !verifier.broken) {
        stopIfGone(signal);
        const entries = await storedEntries(m, book, after, WALK_BATCH);
        if (!entries.length) break;
        // Hashing is CPU work: the loop gets a turn every ~10 ms (other requests, /health).
        for (const e of entries) {
          verifier.feed(e);
          if (turns.due) await turns.turn();
        }
        after = entries[entries.length - 1].sequence;
      }
      stopIfGone(signal);
      // The walk stops at the first broken link; the chain's length is then counted, not walked.
      const walked = verifier.finish(head);
      const chain = walked.firstBroken ? { ...walked, entries: await countEntries(m, book) } : walked;
      const mismatches = await balanceMismatches(m, book);
      const walk = {
        full: start.sequence === 0,
        from: start.sequence + 1,
        through: start.sequence + verifier.walked,
        entries: verifier.walked,
        checkpoint: checkpoint === null ? null : { sequence: checkpoint.start.sequence, matched: checkpoint.matches },
      };
      return { ...chain, ok: chain.ok && mismatches.length === 0, book, balances: { ok: mismatches.length === 0, mismatches }, walk };
    });
    await this.recordCheckpoint(report);
    return report;
  }

  /**
   * After the walk's transaction (a write inside the REPEATABLE READ snapshot could fail with a
   * serialization error when two runs end together): an intact chain moves the checkpoint
   * forward, never back; a broken one leaves a tombstone (the broken sequence with a hash no entry
   * can have), which makes every later verify walk from the first entry, and which only a full walk
   * that finds the chain intact clears — an incremental walk that started before the break was
   * found (its snapshot older than the tampering) cannot bring the checkpoint back.
   */
  private async recordCheckpoint(r: VerifyReport): Promise<void> {
    try {
      if (r.firstBroken) {
        await this.dataSource.query(
          `INSERT INTO ledger_verify_checkpoints (book, sequence, hash, full_walk, verified_at) VALUES ($1, $2, $3, true, $4)
           ON CONFLICT (book) DO UPDATE SET sequence = EXCLUDED.sequence, hash = EXCLUDED.hash, full_walk = true, verified_at = EXCLUDED.verified_at`,
          [r.book, Math.max(1, r.firstBroken.sequence), BROKEN_TOMBSTONE, this.clock.now().toISOString()],
        );
      } else if (r.entries > 0) {
        await this.dataSource.query(
          `INSERT INTO ledger_verify_checkpoints AS c (book, sequence, hash, full_walk, verified_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (book) DO UPDATE SET sequence = EXCLUDED.sequence, hash = EXCLUDED.hash, full_walk = EXCLUDED.full_walk, verified_at = EXCLUDED.verified_at
            WHERE c.sequence <= EXCLUDED.sequence AND (c.hash <> $6 OR EXCLUDED.full_walk)`,
          [r.book, r.entries, r.head, r.walk.full, this.clock.now().toISOString(), BROKEN_TOMBSTONE],
        );
      }
    } catch (error) {
      // The report stands; the next verify walks a little more.
      this.logger.warn(`verify of ${r.book}: the checkpoint was not recorded (${String(error)})`);
    }
  }

  /**
   * Closes a quarter of a book: no entry dated on or before its last day is accepted afterwards
   * (the posting service checks it, the entry trigger too). Takes the book-head lock, so it
   * serialises with postings. Closing a quarter again returns the first close. Joins the open
   * transaction when there is one (the quarter close's last duty commits with its run row).
   */
  async closePeriod(book: string, quarter: string): Promise<PeriodClose & { created: boolean }> {
    const closedThrough = quarterLastDay(quarter);
    if (closedThrough >= this.clock.today()) {
      throw DomainError.rule(LEDGER_ERRORS.PERIOD_NOT_ENDED, `Quarter ${quarter} has not ended yet (it ends on ${closedThrough}).`);
    }
    return this.tx.run(async (m) => {
      const heads = (await m.query(`SELECT last_sequence, last_hash, closed_through FROM ledger_books WHERE code = $1 FOR UPDATE`, [book])) as {
        last_sequence: string;
        last_hash: string;
        closed_through: string | null;
      }[];
      if (!heads.length) throw ledgerErrors.unknownBook(book);
      const existing = (await m.query(
        `SELECT book, quarter, closed_through, last_sequence, head_hash, closed_at FROM ledger_period_closes WHERE book = $1 AND quarter = $2`,
        [book, quarter],
      )) as PeriodRow[];
      if (existing.length) return { ...toPeriod(existing[0]), created: false };
      const h = heads[0];
      if (h.closed_through === null || h.closed_through < closedThrough) {
        await m.query(`UPDATE ledger_books SET closed_through = $2 WHERE code = $1`, [book, closedThrough]);
      }
      const inserted = (await m.query(
        `INSERT INTO ledger_period_closes (book, quarter, closed_through, last_sequence, head_hash, closed_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING book, quarter, closed_through, last_sequence, head_hash, closed_at`,
        [book, quarter, closedThrough, h.last_sequence, h.last_hash, this.clock.now().toISOString()],
      )) as PeriodRow[];
      return { ...toPeriod(inserted[0]), created: true };
    });
  }
}

interface PeriodRow {
  book: string;
  quarter: string;
  closed_through: string;
  last_sequence: string;
  head_hash: string;
  closed_at: Date;
}

function toPeriod(r: PeriodRow): PeriodClose {
  return { book: r.book, quarter: r.quarter, closedThrough: r.closed_through, lastSequence: Number(r.last_sequence), headHash: r.head_hash, closedAt: r.closed_at };
}

async function countEntries(m: EntityManager, book: string): Promise<number> {
  const [r] = (await m.query(`SELECT count(*)::int AS n FROM ledger_entries WHERE book = $1`, [book])) as { n: number }[];
  return Number(r.n);
}

/**
 * The book's checkpoint, if it has one, and whether it still matches the chain: its entry exists
 * up to the head and carries the checkpointed hash.
 */
/** The checkpoint's hash after a verify found the chain broken: no SHA-256 an entry can have. */
const BROKEN_TOMBSTONE = '0'.repeat(64);

async function readCheckpoint(m: EntityManager, book: string, headSequence: number): Promise<{ start: ChainStart; matches: boolean } | null> {
  const rows = (await m.query(
    `SELECT c.sequence, c.hash, e.hash AS entry_hash
       FROM ledger_verify_checkpoints c LEFT JOIN ledger_entries e ON e.book = c.book AND e.sequence = c.sequence
      WHERE c.book = $1`,
    [book],
  )) as { sequence: string; hash: string; entry_hash: string | null }[];
  if (!rows.length) return null;
  const c = rows[0];
  const sequence = Number(c.sequence);
  return { start: { sequence, hash: c.hash }, matches: sequence <= headSequence && c.entry_hash === c.hash };
}

/**
 * The next `limit` entries after `after`, with their lines, each field as PostgreSQL returns it:
 * text as stored, numerics as stored (numeric(20,2) text), the date as YYYY-MM-DD and the
 * recording instant in UTC to the microsecond, then put in the form of the entry's own canonical
 * version (issue 10 item 1: the hash is checked against exactly what is stored).
 */
async function storedEntries(m: EntityManager, book: string, after: number, limit: number) {
  const entries = (await m.query(
    `SELECT e.id::text AS id, e.book, e.sequence::text AS sequence, to_char(e.effective_date, 'YYYY-MM-DD') AS effective_date,
            ${STORED_INSTANT_SQL} AS recorded_at,
            e.memo, e.link_type, e.link_id, e.reversal_of::text AS reversal_of, e.prev_hash, e.hash, e.canonical_version
       FROM ledger_entries e WHERE e.book = $1 AND e.sequence > $2 ORDER BY e.sequence LIMIT $3`,
    [book, after, limit],
  )) as StoredEntryRow[];
  const lines = new Map<string, StoredLineRow[]>();
  if (entries.length) {
    const rows = (await m.query(
      `SELECT l.entry_id::text AS entry_id, l.line_no, a.code, l.side, l.amount::text AS amount
         FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id
        WHERE l.entry_id = ANY($1::uuid[]) ORDER BY l.entry_id, l.line_no`,
      [entries.map((e) => e.id)],
    )) as StoredLineRow[];
    for (const r of rows) (lines.get(r.entry_id) ?? (lines.set(r.entry_id, []).get(r.entry_id) as StoredLineRow[])).push(r);
  }
  return entries.map((e) => {
    const version = Number(e.canonical_version) as CanonicalVersion;
    return {
      version,
      id: e.id,
      book: e.book,
      sequence: Number(e.sequence),
      effectiveDate: e.effective_date,
      recordedAt: recordedAtText(version, e.recorded_at),
      memo: e.memo,
      link: e.link_type === null ? null : { type: e.link_type, id: e.link_id as string },
      reversalOf: e.reversal_of,
      prevHash: e.prev_hash,
      hash: e.hash,
      lines: (lines.get(e.id) ?? []).map((l) => ({ lineNo: Number(l.line_no), account: l.code, side: l.side === 'D' ? ('debit' as const) : ('credit' as const), amount: Money.of(l.amount) })),
    };
  });
}
