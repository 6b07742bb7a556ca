import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { quarterLastDay } from '../common/calendar/quarter';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import { BrokenLink, ChainVerifier } from './domain/chain-verifier';
import { ledgerErrors } from './domain/ledger.errors';
import { ENTRY_COLUMNS, EntryRow, WALK_BATCH, linesOf, readBook, toPostedEntry } from './ledger-rows';
import { LEDGER_ERRORS } from './domain/ledger.errors';

export interface VerifyReport {
  ok: boolean;
  book: string;
  entries: number;
  head: string;
  firstBroken: BrokenLink | null;
  balances: { ok: boolean; mismatches: { account: string; rowDebits: string; rowCredits: string; lineDebits: string; lineCredits: string }[] };
}

export interface PeriodClose {
  book: string;
  quarter: string;
  closedThrough: string;
  lastSequence: number;
  headHash: string;
  closedAt: Date;
}

/**
 * The book's audit trail: verify walks the hash chain and checks the balance rows against the
 * lines; closing a period fixes a quarter (no entry dated in it afterwards) and records the head
 * it was closed at.
 */
@Injectable()
export class LedgerAuditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly tx: TransactionScope,
  ) {}

  /**
   * Walks the book's hash chain in sequence order (keyset batches, constant memory) inside one
   * repeatable-read snapshot, then checks every balance row against the sum of its lines.
   */
  async verify(book: string): Promise<VerifyReport> {
    return this.dataSource.transaction('REPEATABLE READ', async (m) => {
      const head = await readBook(m, book);
      const verifier = new ChainVerifier();
      let after = 0;
      for (;;) {
        const entries = (await m.query(
          `SELECT ${ENTRY_COLUMNS} FROM ledger_entries e WHERE e.book = $1 AND e.sequence > $2 ORDER BY e.sequence LIMIT $3`,
          [book, after, WALK_BATCH],
        )) as EntryRow[];
        if (!entries.length) break;
        const lines = await linesOf(m, entries.map((e) => e.id));
        for (const e of entries) {
          const p = toPostedEntry(e, lines.get(e.id) ?? []);
          verifier.feed({
            ...p,
            recordedAt: p.recordedAt.toISOString(),
            lines: p.lines.map((l) => ({ lineNo: l.lineNo, account: l.account, side: l.debit ? 'debit' : 'credit', amount: (l.debit ?? l.credit) as Money })),
          });
        }
        after = Number(entries[entries.length - 1].sequence);
      }
      const chain = verifier.finish({ lastSequence: head.lastSequence, lastHash: head.lastHash });
      const mismatches = (await m.query(
        `SELECT a.code AS account, a.debits AS "rowDebits", a.credits AS "rowCredits",
                coalesce(s.d, 0)::numeric(20,2)::text AS "lineDebits", coalesce(s.c, 0)::numeric(20,2)::text AS "lineCredits"
           FROM ledger_accounts a
           LEFT JOIN (SELECT account_id, sum(amount) FILTER (WHERE side = 'D') AS d, sum(amount) FILTER (WHERE side = 'C') AS c
                        FROM ledger_lines GROUP BY account_id) s ON s.account_id = a.id
          WHERE a.book = $1 AND (a.debits <> coalesce(s.d, 0) OR a.credits <> coalesce(s.c, 0))
          ORDER BY a.code`,
        [book],
      )) as VerifyReport['balances']['mismatches'];
      return { ...chain, ok: chain.ok && mismatches.length === 0, book, balances: { ok: mismatches.length === 0, mismatches } };
    });
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
