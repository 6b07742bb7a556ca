import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/access/principal';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { isUuid } from '../common/ids';
import { LedgerAccountsService } from '../ledger/ledger-accounts.service';
import { LedgerPostingService } from '../ledger/ledger-posting.service';
import { DEPOSIT_PREFIX, RESERVE_BOOK } from '../reserve/domain/books';
import { BANK_CHARGES, correctionDraft, defaultCounterAccount } from './domain/correction';
import { formatFen } from './domain/matching';
import { PaymentInstructionsService } from './payment-instructions.service';
import { RECONCILIATION_ERRORS } from './reconciliation.errors';
import { ReconciliationStore, toFen } from './reconciliation-store';
import { closedError, ReconciliationService } from './reconciliation.service';
import { ReconciliationWorkspaceService, Workspace } from './reconciliation-workspace';

export interface ProposeCorrectionInput {
  /** An unmatched statement line… */
  statementLine?: number;
  /** …or a match whose sides differ. */
  matchId?: string;
  counterAccount?: string;
  reason: string;
}

interface CorrectionRow {
  id: string;
  reconciliation_id: string;
  position: number | null;
  match_id: string | null;
  amount: string;
  counter_account: string;
  effective_date: string;
  memo: string;
  reason: string;
  status: 'proposed' | 'posted';
  proposed_by: string;
  proposed_at: Date;
  posted_by: string | null;
  posted_at: Date | null;
  entry_id: string | null;
}

/**
 * Correcting entries (RULES §8 "Reconciliation"; docs/reconciliation.md "Corrections"): proposed
 * from an unmatched statement line or a match whose sides differ, and posted through the ledger's
 * ordinary posting service only when another token approves it (four eyes: the proposer's token
 * cannot post its own proposal, 403). Once posted, the new ledger line is matched to the item it
 * corrects, so the difference it explained is gone. Nothing is posted from a statement by itself.
 */
@Injectable()
export class ReconciliationCorrectionsService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly store: ReconciliationStore,
    private readonly workspace: ReconciliationWorkspaceService,
    private readonly reconciliations: ReconciliationService,
    private readonly posting: LedgerPostingService,
    private readonly accounts: LedgerAccountsService,
    private readonly instructions: PaymentInstructionsService,
  ) {}

  /** POST /v1/reconciliations/{id}/corrections */
  async propose(id: string, input: ProposeCorrectionInput, principal?: Principal) {
    const correctionId = await this.tx.run(async (m) => {
      const ws = await this.workspace.load(id, true);
      if (ws.rec.status === 'closed') throw closedError(id);
      const target = this.target(ws, input);
      const counter = input.counterAccount ?? defaultCounterAccount(target.fen).code;
      await this.assertCounterAccount(counter);
      const memo = `Reconciliation correction (${ws.rec.bank_code} ${ws.rec.period_from}…${ws.rec.period_to}): ${input.reason}`.slice(0, 500);
      const [row] = (await m.query(
        `INSERT INTO reconciliation_corrections (reconciliation_id, position, match_id, amount, counter_account, effective_date, memo, reason, proposed_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [id, input.statementLine ?? null, input.matchId ?? null, formatFen(target.fen), counter, target.date, memo, input.reason, principal?.tokenId ?? 'unknown'],
      )) as { id: string }[];
      return row.id;
    });
    return this.view(id, correctionId);
  }

  /** What a proposal corrects: an unmatched statement line, or the difference of an active match. */
  private target(ws: Workspace, input: ProposeCorrectionInput): { fen: bigint; date: string } {
    const nothing = (message: string) => DomainError.rule(RECONCILIATION_ERRORS.NOTHING_TO_CORRECT, message, [{ code: RECONCILIATION_ERRORS.NOTHING_TO_CORRECT, message }]);
    if ((input.statementLine === undefined) === (input.matchId === undefined)) throw nothing('Name either statementLine or matchId.');
    if (input.statementLine !== undefined) {
      const line = ws.lines.find((l) => l.position === input.statementLine);
      if (!line) throw nothing(`Statement line ${input.statementLine} is not in this reconciliation.`);
      if (ws.matchedStatement.has(line.position)) throw nothing(`Statement line ${line.position} is already matched.`);
      return { fen: line.fen, date: line.date };
    }
    const match = ws.matches.find((mm) => mm.id === input.matchId);
    if (!match) throw nothing(`Match ${String(input.matchId).slice(0, 64)} is not an active match of this reconciliation.`);
    if (match.statementTotal === match.ledgerTotal) throw nothing(`Match ${match.id} balances; there is nothing to correct.`);
    const dates = ws.lines.filter((l) => match.statement.includes(l.position)).map((l) => l.date).sort();
    return { fen: match.statementTotal - match.ledgerTotal, date: dates[dates.length - 1] };
  }

  private async assertCounterAccount(code: string): Promise<void> {
    if (code === BANK_CHARGES.code) return;
    const bad = (message: string) => DomainError.rule(RECONCILIATION_ERRORS.INVALID_ACCOUNT, message, [{ code: RECONCILIATION_ERRORS.INVALID_ACCOUNT, field: 'counterAccount', message }]);
    if (code.startsWith(DEPOSIT_PREFIX)) throw bad('The counter account of a correction cannot be a reserve deposit account.');
    if (!(await this.workspace.accountExists(code))) throw bad(`The reserve book has no account ${code.slice(0, 100)}.`);
  }

  /** POST /v1/reconciliations/{id}/corrections/{correctionId}/post: by another token than the proposer's. */
  async post(id: string, correctionId: string, principal?: Principal) {
    await this.tx.run(async (m) => {
      const ws = await this.workspace.load(id, true);
      if (ws.rec.status === 'closed') throw closedError(id);
      const c = await this.row(id, correctionId, true);
      if (c.status !== 'proposed') throw DomainError.conflict(RECONCILIATION_ERRORS.CORRECTION_NOT_PROPOSED, `Correction ${c.id} was posted at ${c.posted_at?.toISOString()}.`);
      if (!principal || principal.tokenId === c.proposed_by) {
        throw DomainError.forbidden(RECONCILIATION_ERRORS.SAME_PROPOSER, 'A correction is posted by another person than the one who proposed it (four eyes).');
      }
      const fen = toFen(c.amount);
      const current = this.target(ws, c.position !== null ? { statementLine: Number(c.position), reason: c.reason } : { matchId: c.match_id as string, reason: c.reason });
      if (current.fen !== fen) throw DomainError.rule(RECONCILIATION_ERRORS.NOTHING_TO_CORRECT, `The item now differs by ${formatFen(current.fen)}, not ${c.amount}: propose again.`);
      if (c.counter_account === BANK_CHARGES.code) await this.accounts.ensureAccount(BANK_CHARGES);
      const entry = await this.posting.post(null, correctionDraft({ id: c.id, depositAccount: ws.rec.account_code, counterAccount: c.counter_account, fen, date: c.effective_date, memo: c.memo }));
      const line = entry.lines.find((l) => l.account === ws.rec.account_code);
      if (!line) throw new Error(`correction ${c.id}: the posted entry has no line on ${ws.rec.account_code}`);
      const ledgerSide = { key: `${entry.id}#${line.lineNo}`, date: c.effective_date, fen };
      if (c.position !== null) {
        const s = ws.lines.find((l) => l.position === Number(c.position)) as Workspace['lines'][number];
        await this.store.insertMatches(id, ws.rec.account_code, [{ method: 'correction', reason: c.reason, statement: [{ position: s.position, date: s.date, fen: s.fen }], ledger: [ledgerSide] }], principal.tokenId, true);
      } else {
        await m.query(
          `INSERT INTO reconciliation_match_items (match_id, reconciliation_id, entry_id, line_no, account_code, effective_date, amount) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [c.match_id, id, entry.id, line.lineNo, ws.rec.account_code, c.effective_date, formatFen(fen)],
        );
        await m.query(`UPDATE reconciliation_matches SET ledger_total = ledger_total + $2::numeric WHERE id = $1`, [c.match_id, formatFen(fen)]);
      }
      await m.query(`UPDATE reconciliation_corrections SET status = 'posted', posted_by = $2, posted_at = now(), entry_id = $3 WHERE id = $1`, [c.id, principal.tokenId, entry.id]);
    });
    await this.instructions.sync();
    return this.view(id, correctionId);
  }

  private async row(id: string, correctionId: string, lock = false): Promise<CorrectionRow> {
    const rows = isUuid(correctionId)
      ? ((await this.tx.manager.query(`SELECT * FROM reconciliation_corrections WHERE id = $1 AND reconciliation_id = $2${lock ? ' FOR UPDATE' : ''}`, [correctionId, id])) as CorrectionRow[])
      : [];
    if (!rows.length) throw DomainError.notFound(RECONCILIATION_ERRORS.CORRECTION_NOT_FOUND, `Reconciliation ${id} has no correction ${correctionId.slice(0, 64)}.`);
    return rows[0];
  }

  async view(id: string, correctionId: string) {
    const c = await this.row(id, correctionId);
    return toCorrectionView(c);
  }

  async list(id: string) {
    await this.store.get(id);
    const rows = (await this.tx.manager.query(`SELECT * FROM reconciliation_corrections WHERE reconciliation_id = $1 ORDER BY proposed_at, id`, [id])) as CorrectionRow[];
    return rows.map(toCorrectionView);
  }
}

function toCorrectionView(c: CorrectionRow) {
  const fen = toFen(c.amount);
  const draft = correctionDraft({ id: c.id, depositAccount: 'deposit', counterAccount: c.counter_account, fen, date: c.effective_date, memo: c.memo });
  return {
    id: c.id,
    reconciliationId: c.reconciliation_id,
    statementLine: c.position === null ? null : Number(c.position),
    matchId: c.match_id,
    amount: c.amount,
    counterAccount: c.counter_account,
    effectiveDate: c.effective_date,
    memo: c.memo,
    reason: c.reason,
    status: c.status,
    proposedBy: c.proposed_by,
    proposedAt: c.proposed_at,
    postedBy: c.posted_by,
    postedAt: c.posted_at,
    entryId: c.entry_id,
    entry: { book: RESERVE_BOOK, effectiveDate: draft.effectiveDate, lines: draft.lines.map((l) => ({ account: l.account === 'deposit' ? 'the reserve deposit account' : l.account, debit: l.debit?.toString(), credit: l.credit?.toString() })) },
  };
}
