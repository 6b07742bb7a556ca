import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/access/principal';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError, ErrorDetail } from '../common/errors/domain-error';
import { isUuid } from '../common/ids';
import { RECONCILIATION_ERRORS } from './reconciliation.errors';
import { ReconciliationStore } from './reconciliation-store';
import { ReconciliationService, closedError } from './reconciliation.service';
import { matchStatement, StatementItem } from './domain/matching';
import { BookLine, ReconciliationWorkspaceService, Workspace, workingDayIndex } from './reconciliation-workspace';

export interface ManualMatchInput {
  statementLines: number[];
  /** Ledger lines: an entry id (its line on the account) or `entryId#lineNo`. */
  entries: string[];
  reason: string;
}

/**
 * Matching by hand (RULES §8 "Reconciliation": "every unmatched item is matched by hand (with a
 * reason)"): a person pairs statement lines with ledger lines of the account that no rule paired,
 * or undoes a match; each records who and when, and why. Sides may differ in amount (a bank that
 * paid a different sum): the difference stays on the reconciliation until a correcting entry
 * explains it.
 */
@Injectable()
export class ReconciliationMatchesService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly store: ReconciliationStore,
    private readonly workspace: ReconciliationWorkspaceService,
    private readonly reconciliations: ReconciliationService,
  ) {}

  /** POST /v1/reconciliations/{id}/matches */
  async match(id: string, input: ManualMatchInput, principal?: Principal) {
    await this.tx.run(async () => {
      const ws = await this.workspace.load(id, true);
      if (ws.rec.status === 'closed') throw closedError(id);
      const { statement, ledger, problems } = resolveSides(ws, input);
      if (problems.length) {
        throw DomainError.rule(RECONCILIATION_ERRORS.INVALID_MATCH, `The match cannot be made: ${problems.map((p) => p.message).join('; ')}.`, problems);
      }
      await this.store.insertMatches(id, ws.rec.account_code, [{ method: 'manual', reason: input.reason, statement, ledger }], principal?.tokenId ?? null, true);
    });
    return this.reconciliations.view(id);
  }

  /**
   * POST /v1/reconciliations/{id}/rematch: runs the matching rules again over the lines still
   * free on both sides — for ledger lines booked after the import (a refund recorded late, a
   * correction posted through the ledger) or lines freed by an undo. Same rules, same window.
   */
  async rematch(id: string, principal?: Principal) {
    const hints = await this.tx.run(async () => {
      const ws = await this.workspace.load(id, true);
      if (ws.rec.status === 'closed') throw closedError(id);
      const statement: StatementItem[] = ws.lines.filter((l) => !ws.matchedStatement.has(l.position)).map((l) => ({ position: l.position, date: l.date, fen: l.fen, text: `${l.reference} ${l.memo}` }));
      const book = ws.book.filter((b) => !ws.matchedLedger.has(b.key));
      const first = book.reduce((a, b) => (b.date < a ? b.date : a), ws.rec.period_from);
      const result = matchStatement(statement, book, { windowDays: Number(ws.rec.window_days), dayIndex: workingDayIndex(first, ws.rec.period_to) });
      const byPosition = new Map(statement.map((s) => [s.position, s]));
      const byKey = new Map(book.map((b) => [b.key, b]));
      const proposals = result.matches.map((m) => ({
        method: m.method,
        reason: null,
        statement: m.statement.map((p) => byPosition.get(p) as StatementItem),
        ledger: m.ledger.map((k) => byKey.get(k) as BookLine),
      }));
      await this.store.insertMatches(id, ws.rec.account_code, proposals, principal?.tokenId ?? null, true);
      return result.hints;
    });
    return { ...(await this.reconciliations.view(id)), hints };
  }

  /** POST /v1/reconciliations/{id}/matches/{matchId}/undo */
  async undo(id: string, matchId: string, reason: string, principal?: Principal) {
    await this.tx.run(async (m) => {
      const rec = await this.store.get(id, true);
      if (rec.status === 'closed') throw closedError(id);
      const rows = isUuid(matchId)
        ? ((await m.query(`SELECT id, undone_at FROM reconciliation_matches WHERE id = $1 AND reconciliation_id = $2 FOR UPDATE`, [matchId, id])) as { id: string; undone_at: Date | null }[])
        : [];
      if (!rows.length) throw DomainError.notFound(RECONCILIATION_ERRORS.MATCH_NOT_FOUND, `Reconciliation ${id} has no match ${matchId.slice(0, 64)}.`);
      if (rows[0].undone_at) throw DomainError.conflict(RECONCILIATION_ERRORS.MATCH_ALREADY_UNDONE, `Match ${matchId} was undone at ${rows[0].undone_at.toISOString()}.`);
      await m.query(`UPDATE reconciliation_matches SET undone_at = now(), undone_by = $2, undone_reason = $3 WHERE id = $1`, [matchId, principal?.tokenId ?? null, reason]);
      await this.store.release(id, matchId);
    });
    return this.reconciliations.view(id);
  }
}

/** The lines a manual match names, checked: they exist here and are not matched yet (every problem listed). */
function resolveSides(ws: Workspace, input: ManualMatchInput) {
  const problems: ErrorDetail[] = [];
  const byPosition = new Map(ws.lines.map((l) => [l.position, l]));
  const statement = [];
  for (const p of new Set(input.statementLines)) {
    const line = byPosition.get(p);
    if (!line) problems.push({ code: 'UNKNOWN_STATEMENT_LINE', field: 'statementLines', message: `statement line ${p} is not in this reconciliation`, statementLine: p });
    else if (ws.matchedStatement.has(p)) problems.push({ code: 'ALREADY_MATCHED', field: 'statementLines', message: `statement line ${p} is already matched`, statementLine: p });
    else statement.push({ position: p, date: line.date, fen: line.fen });
  }
  const ledger = [];
  for (const ref of new Set(input.entries)) {
    const candidates = ws.book.filter((b) => (ref.includes('#') ? b.key === ref : b.entryId === ref));
    if (candidates.length !== 1) {
      const message = candidates.length ? `entry ${ref} has ${candidates.length} lines on the account: name one as entryId#lineNo` : `entry ${ref} has no line on ${ws.rec.account_code} that this reconciliation may match`;
      problems.push({ code: 'UNKNOWN_ENTRY', field: 'entries', message, entry: ref });
    } else if (ws.matchedLedger.has(candidates[0].key)) {
      problems.push({ code: 'ALREADY_MATCHED', field: 'entries', message: `ledger line ${candidates[0].key} is already matched`, entry: ref });
    } else ledger.push({ key: candidates[0].key, date: candidates[0].date, fen: candidates[0].fen });
  }
  if (!input.statementLines.length || !input.entries.length) {
    problems.push({ code: 'ONE_SIDED', message: 'a match pairs at least one statement line with at least one ledger line (a bank movement the books lack needs a correcting entry)' });
  }
  return { statement, ledger, problems };
}
