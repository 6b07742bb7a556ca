import { Injectable } from '@nestjs/common';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { decodeCursor, DEFAULT_PAGE_LIMIT, encodeCursor, Page } from '../common/http/pagination';
import type { Principal } from '../common/access/principal';
import { ClaimsService } from '../claims/claims.service';
import { LedgerMovement, LedgerQueryService } from '../ledger/ledger-query.service';
import { DEPOSIT_PREFIX, RESERVE_BOOK, parseDepositCode } from '../reserve/domain/books';
import { ReserveAccountsService } from '../reserve/reserve-accounts.service';
import { Direction, instructionKind } from './domain/instruction-kind';
import { paymentReference, serialOfReference } from './domain/payment-reference';
import { INSTRUCTION_ERRORS } from './reconciliation.errors';

/** The link the refund posting carries (src/reserve/domain/reserve-postings.ts, refundPosting). */
const REFUND_LINK = 'claim-recovery';
/** The link a placement transfer's posting carries (src/placement, `proposalId/transferId`). */
export const PLACEMENT_TRANSFER_LINK = 'placement-transfer';

/** One placement transfer to expect: both legs, with the references reserved when it was proposed. */
export interface ExpectedTransfer {
  /** `proposalId/transferId`: the link id its posting will carry. */
  key: string;
  fromBankCode: string;
  toBankCode: string;
  amount: string;
  outReference: string;
  inReference: string;
  memo: string;
}

export const INSTRUCTION_STATUSES = ['pending', 'done', 'matched'] as const;
export type InstructionStatus = (typeof INSTRUCTION_STATUSES)[number];

export interface InstructionView {
  id: string;
  reference: string;
  bankCode: string;
  account: string;
  direction: Direction;
  amount: string;
  kind: string;
  status: InstructionStatus;
  effectiveDate: string | null;
  entryId: string | null;
  lineNo: number | null;
  memo: string;
  doneOn: string | null;
  dueOn: string | null;
  createdAt: Date;
}

interface InstructionRow {
  id: string;
  serial: string;
  reference: string;
  bank_code: string;
  account_code: string;
  direction: Direction;
  amount: string;
  kind: string;
  status: InstructionStatus;
  effective_date: string | null;
  entry_id: string | null;
  line_no: number | null;
  memo: string;
  done_on: string | null;
  due_on: string | null;
  created_at: Date;
}

/** Status from the rows of this module: matched (a statement line), else done (confirmed), else pending. */
const STATUS_SQL = `CASE WHEN EXISTS (SELECT 1 FROM reconciliation_match_items i WHERE i.active AND i.entry_id = p.entry_id AND i.line_no = p.line_no)
  THEN 'matched' WHEN p.done_on IS NOT NULL THEN 'done' ELSE 'pending' END`;

/**
 * Payment instructions (issue 14 item 1; RULES §8): every movement of a reserve deposit account
 * in the ledger — payout legs, placement transfers, custody fee, refunds, appropriations, interest,
 * corrections — is an instruction with a unique reference the custodian keys into the bank's
 * 附言/memo, so that the bank statement brings it back and matching finds it.
 *
 * Instructions are derived from the ledger, never typed in: `sync` reads the deposit-account lines
 * posted since the last one it saw (book sequence) and gives each an instruction; it runs before
 * every list and every statement import, so no module that posts needs to know about
 * instructions. Status: `pending` (to execute), `done` (the custodian confirmed the transfer),
 * `matched` (a bank statement line is matched to it). The bulk insert is SQL (unnest) because the
 * reconciliation benchmark creates 100,000 at once (docs/benchmarks.md).
 */
@Injectable()
export class PaymentInstructionsService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly ledger: LedgerQueryService,
    private readonly claims: ClaimsService,
    private readonly reserveAccounts: ReserveAccountsService,
  ) {}

  /**
   * Creates the instructions of the deposit-account lines posted since the last sync (a line that
   * is an expected refund arriving takes over that instruction and its reference), then the
   * instructions of refunds recorded and not yet received; returns how many lines it saw.
   */
  async sync(): Promise<number> {
    return this.tx.run(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('payment_instructions.sync'))`);
      const [{ last }] = (await m.query(`SELECT coalesce(max(sequence), 0)::text AS last FROM payment_instructions WHERE book = $1`, [RESERVE_BOOK])) as { last: string }[];
      const all = await this.ledger.movements(RESERVE_BOOK, { prefix: DEPOSIT_PREFIX, afterSequence: Number(last) }, m);
      const moves = await this.attachExpected(all);
      if (moves.length) await this.insertFromLedger(moves);
      await this.expectRefunds();
      return all.length;
    });
  }

  private async serials(count: number): Promise<number[]> {
    const rows = (await this.tx.manager.query(`SELECT nextval('payment_instruction_serial')::text AS n FROM generate_series(1, $1)`, [count])) as { n: string }[];
    return rows.map((r) => Number(r.n));
  }

  private async insertFromLedger(moves: LedgerMovement[]): Promise<void> {
    const serials = await this.serials(moves.length);
    const direction = (mv: LedgerMovement) => (mv.side === 'debit' ? 'in' : 'out');
    await this.tx.manager.query(
      `INSERT INTO payment_instructions (serial, reference, book, bank_code, account_code, direction, amount, kind, entry_id, line_no, sequence, effective_date, memo, source_type, source_id)
       SELECT s, r, $1, b, a, d, amt, k, e, l, q, dt, mm, st, si
         FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::numeric[], $8::text[], $9::uuid[], $10::smallint[], $11::bigint[], $12::date[], $13::text[], $14::text[], $15::text[])
           AS t(s, r, b, a, d, amt, k, e, l, q, dt, mm, st, si)
       ON CONFLICT (entry_id, line_no) DO NOTHING`,
      [
        RESERVE_BOOK,
        serials,
        serials.map((n) => paymentReference(n)),
        moves.map((mv) => bankOfDeposit(mv.account)),
        moves.map((mv) => mv.account),
        moves.map(direction),
        moves.map((mv) => mv.amount),
        moves.map((mv) => instructionKind(mv.linkType, direction(mv), mv.reversalOf !== null)),
        moves.map((mv) => mv.entryId),
        moves.map((mv) => mv.lineNo),
        moves.map((mv) => mv.sequence),
        moves.map((mv) => mv.effectiveDate),
        moves.map((mv) => mv.memo),
        moves.map((mv) => mv.linkType),
        moves.map((mv) => mv.linkId),
      ],
    );
  }

  /**
   * A line that was expected takes over its instruction (and reference): a refund arriving (Dr
   * deposit, link claim-recovery) and either leg of an approved placement transfer (link
   * placement-transfer, matched by account); returns the other lines.
   */
  private async attachExpected(moves: LedgerMovement[]): Promise<LedgerMovement[]> {
    const candidates = moves.filter((mv) => mv.reversalOf === null && ((mv.linkType === REFUND_LINK && mv.side === 'debit') || mv.linkType === PLACEMENT_TRANSFER_LINK));
    if (!candidates.length) return moves;
    const expected = (await this.tx.manager.query(
      `SELECT id, source_type, source_id, bank_code FROM payment_instructions WHERE entry_id IS NULL AND source_type = ANY($1::text[]) AND source_id = ANY($2::text[])`,
      [[REFUND_LINK, PLACEMENT_TRANSFER_LINK], candidates.map((mv) => mv.linkId)],
    )) as { id: string; source_type: string; source_id: string; bank_code: string }[];
    const attached = new Set<LedgerMovement>();
    for (const e of expected) {
      // By bank, not by account: the bank's account may have moved since the line was expected
      // (the instruction then takes the account the money moved in).
      const mv = candidates.find((r) => r.linkType === e.source_type && r.linkId === e.source_id && bankOfDeposit(r.account) === e.bank_code && !attached.has(r));
      if (!mv) continue;
      attached.add(mv);
      await this.tx.manager.query(`UPDATE payment_instructions SET entry_id = $2, line_no = $3, sequence = $4, effective_date = $5, amount = $6, memo = $7, account_code = $8 WHERE id = $1`, [
        e.id,
        mv.entryId,
        mv.lineNo,
        mv.sequence,
        mv.effectiveDate,
        mv.amount,
        mv.memo,
        mv.account,
      ]);
    }
    return moves.filter((mv) => !attached.has(mv));
  }

  /**
   * References for instructions that will exist later (a placement proposal shows each transfer's
   * reference before it is approved): serials taken from the same sequence, so a reference is never
   * given twice; a proposal that is never approved leaves a gap in the serials, nothing else.
   */
  async reserveReferences(count: number): Promise<string[]> {
    if (count <= 0) return [];
    return (await this.serials(count)).map((n) => paymentReference(n));
  }

  /**
   * An approved placement's transfers become pending instructions (RULES §8 placement cycle): for
   * each transfer the paying leg (out of the sending bank's reserve account) and the receiving leg
   * (into the receiving bank's), with the references reserved when it was proposed. When the
   * custodian confirms the transfer, its posting's two lines take these instructions over (sync).
   */
  async expectPlacementTransfers(transfers: readonly ExpectedTransfer[]): Promise<void> {
    if (!transfers.length) return;
    const legs = transfers.flatMap((t) => [
      { reference: t.outReference, bank: t.fromBankCode, direction: 'out' as const, t },
      { reference: t.inReference, bank: t.toBankCode, direction: 'in' as const, t },
    ]);
    await this.insertExpected(
      PLACEMENT_TRANSFER_LINK,
      legs.map((l) => ({
        serial: serialOfReference(l.reference),
        bankCode: l.bank,
        direction: l.direction,
        amount: l.t.amount,
        kind: 'placement',
        dueOn: null,
        memo: `${l.t.memo} (${l.direction === 'out' ? 'paying' : 'receiving'} leg)`,
        sourceId: l.t.key,
      })),
    );
  }

  /**
   * Instructions expected before their posting (a refund due, a placement transfer's legs), each on
   * its bank's current reserve account (docs/reserve-accounts.md; it attaches by bank when posted),
   * with the reference of its serial. One bulk insert (unnest).
   */
  private async insertExpected(
    sourceType: string,
    rows: readonly { serial: number; bankCode: string; direction: Direction; amount: string; kind: string; dueOn: string | null; memo: string; sourceId: string }[],
  ): Promise<void> {
    const current = await this.reserveAccounts.currentDeposits(rows.map((r) => r.bankCode));
    await this.tx.manager.query(
      `INSERT INTO payment_instructions (serial, reference, book, bank_code, account_code, direction, amount, kind, due_on, memo, source_type, source_id)
       SELECT s, r, $1, b, a, d, amt, k, due, mm, $2, si
         FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::numeric[], $9::text[], $10::date[], $11::text[], $12::text[])
           AS t(s, r, b, a, d, amt, k, due, mm, si)`,
      [
        RESERVE_BOOK,
        sourceType,
        rows.map((r) => r.serial),
        rows.map((r) => paymentReference(r.serial)),
        rows.map((r) => r.bankCode),
        rows.map((r) => (current.get(r.bankCode) as { code: string }).code),
        rows.map((r) => r.direction),
        rows.map((r) => r.amount),
        rows.map((r) => r.kind),
        rows.map((r) => r.dueOn),
        rows.map((r) => r.memo),
        rows.map((r) => r.sourceId),
      ],
    );
  }

  /** The custodian confirmed a placement transfer: both legs are done (pending → done). */
  async confirmPlacementTransfer(key: string, doneOn: string, principal?: Principal): Promise<void> {
    await this.tx.manager.query(`UPDATE payment_instructions SET done_on = coalesce(done_on, $2), done_by = coalesce(done_by, $3) WHERE source_type = $4 AND source_id = $1`, [
      key,
      doneOn,
      principal?.tokenId ?? null,
      PLACEMENT_TRANSFER_LINK,
    ]);
  }

  /** Refunds recorded and not yet received become pending instructions (money expected in), once each. */
  private async expectRefunds(): Promise<void> {
    const due = await this.claims.refundsDue();
    if (!due.length) return;
    const known = new Set(
      ((await this.tx.manager.query(`SELECT source_id FROM payment_instructions WHERE source_type = $1 AND source_id = ANY($2::text[])`, [REFUND_LINK, due.map((d) => d.recoveryId)])) as { source_id: string }[]).map(
        (r) => r.source_id,
      ),
    );
    const fresh = due.filter((d) => !known.has(d.recoveryId));
    if (!fresh.length) return;
    const serials = await this.serials(fresh.length);
    await this.insertExpected(
      REFUND_LINK,
      fresh.map((d, i) => ({
        serial: serials[i],
        bankCode: d.bankCode,
        direction: 'in' as const,
        amount: d.refund.toString(),
        kind: 'refund',
        dueOn: d.refundDueOn,
        memo: `Refund expected on claim ${d.claimId} into ${d.bankCode}'s reserve account, due ${d.refundDueOn}`,
        sourceId: d.recoveryId,
      })),
    );
  }

  /** GET /v1/payment-instructions: in serial order, filtered by status, bank and kind. */
  async list(filter: { status?: string; bankCode?: string; kind?: string }, limit = DEFAULT_PAGE_LIMIT, cursor?: string): Promise<Page<InstructionView>> {
    if (filter.status !== undefined && !(INSTRUCTION_STATUSES as readonly string[]).includes(filter.status)) {
      throw DomainError.invalid(INSTRUCTION_ERRORS.INVALID_STATUS, `status must be one of ${INSTRUCTION_STATUSES.join(', ')}.`, [
        { field: 'status', code: 'INVALID_VALUE', message: `status must be one of ${INSTRUCTION_STATUSES.join(', ')}` },
      ]);
    }
    await this.sync();
    const after = decodeCursor(cursor, (v): v is number => typeof v === 'number' && Number.isInteger(v)) ?? 0;
    const rows = (await this.tx.manager.query(
      `SELECT * FROM (SELECT p.*, ${STATUS_SQL} AS status FROM payment_instructions p
          WHERE p.serial > $1 AND ($2::text IS NULL OR p.bank_code = $2) AND ($3::text IS NULL OR p.kind = $3)) x
        WHERE ($4::text IS NULL OR x.status = $4) ORDER BY x.serial LIMIT $5`,
      [after, filter.bankCode ?? null, filter.kind ?? null, filter.status ?? null, limit + 1],
    )) as InstructionRow[];
    const more = rows.length > limit;
    const slice = more ? rows.slice(0, limit) : rows;
    return { items: slice.map(toView), nextCursor: more ? encodeCursor(Number(slice[slice.length - 1].serial)) : null };
  }

  /** The custodian confirms the transfer was made at the bank (pending → done). */
  async markDone(reference: string, doneOn: string, principal?: Principal): Promise<InstructionView> {
    await this.tx.run(async (m) => {
      // A placement transfer is confirmed through its own route, which posts it (RULES §8 placement cycle).
      const [placement] = (await m.query(`SELECT source_id FROM payment_instructions WHERE reference = $1 AND source_type = $2 AND entry_id IS NULL`, [reference, PLACEMENT_TRANSFER_LINK])) as { source_id: string }[];
      if (placement) {
        const [proposalId, transferId] = placement.source_id.split('/');
        throw DomainError.conflict(
          INSTRUCTION_ERRORS.PLACEMENT_TRANSFER,
          `${reference} is a leg of placement transfer ${transferId}: confirm it with POST /v1/placements/${proposalId}/transfers/${transferId}/executed, which posts it.`,
        );
      }
      const rows = (await m.query(`UPDATE payment_instructions SET done_on = coalesce(done_on, $2), done_by = coalesce(done_by, $3) WHERE reference = $1 RETURNING id`, [
        reference,
        doneOn,
        principal?.tokenId ?? null,
      ])) as unknown[];
      if (!rowsAffected(rows)) throw DomainError.notFound('INSTRUCTION.NOT_FOUND', `No payment instruction has reference ${reference}.`);
    });
    return this.byReference(reference);
  }

  async byReference(reference: string): Promise<InstructionView> {
    const rows = (await this.tx.manager.query(`SELECT p.*, ${STATUS_SQL} AS status FROM payment_instructions p WHERE p.reference = $1`, [reference])) as InstructionRow[];
    if (!rows.length) throw DomainError.notFound('INSTRUCTION.NOT_FOUND', `No payment instruction has reference ${reference}.`);
    return toView(rows[0]);
  }

  /** References of the given ledger lines (`entryId#lineNo` → reference), for matching. */
  async referencesOf(account: string, from: string, to: string): Promise<Map<string, string>> {
    const rows = (await this.tx.manager.query(
      `SELECT entry_id, line_no, reference FROM payment_instructions WHERE account_code = $1 AND effective_date BETWEEN $2 AND $3`,
      [account, from, to],
    )) as { entry_id: string; line_no: number; reference: string }[];
    return new Map(rows.map((r) => [`${r.entry_id}#${r.line_no}`, r.reference]));
  }
}

/** TypeORM's pg driver returns [rows, count] for UPDATE … RETURNING. */
function rowsAffected(result: unknown[]): number {
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[1];
  return result.length;
}

function toView(r: InstructionRow): InstructionView {
  return {
    id: r.id,
    reference: r.reference,
    bankCode: r.bank_code,
    account: r.account_code,
    direction: r.direction,
    amount: r.amount,
    kind: r.kind,
    status: r.status,
    effectiveDate: r.effective_date,
    entryId: r.entry_id,
    lineNo: r.line_no === null ? null : Number(r.line_no),
    memo: r.memo,
    doneOn: r.done_on,
    dueOn: r.due_on,
    createdAt: r.created_at,
  };
}

/**
 * The bank of a reserve deposit account code (`reserve:deposit:BANK[:n]`, parseDepositCode). An
 * account opened by hand under the prefix in some other spelling keeps the text after the prefix.
 */
function bankOfDeposit(code: string): string {
  return parseDepositCode(code)?.bankCode ?? code.slice(DEPOSIT_PREFIX.length);
}
