import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/access/principal';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { decodeCursor, toPage } from '../common/http/pagination';
import { RESERVE_BOOK } from '../reserve/domain/books';
import { ReserveAccountsService } from '../reserve/reserve-accounts.service';
import { formatFen, matchStatement, MatchResult, StatementItem } from './domain/matching';
import { checkStatement, ParsedStatement, StatementParams } from './domain/statement-file';
import type { RawLine } from './domain/statement-lines';
import { PaymentInstructionsService } from './payment-instructions.service';
import { RECONCILIATION_ERRORS, STATEMENT_ERRORS } from './reconciliation.errors';
import { NewMatch, ReconciliationRow, ReconciliationStore, StoredLine, StoredMatch } from './reconciliation-store';
import { BookLine, ReconciliationWorkspaceService, Workspace, workingDayIndex } from './reconciliation-workspace';
import { PolicyService } from '../programme/policy.service';

/** The matching window when a stored policy version lacks `reconciliationWindowWorkingDays` (docs/reconciliation.md). */
export const DEFAULT_WINDOW_WORKING_DAYS = 3;

export interface StatementUpload {
  params: StatementParams & { windowDays?: number };
  lines: RawLine[];
  source: 'json' | 'csv';
  encoding: string | null;
}

/**
 * Bank statements in, reconciliations out (issue 14 items 2–4; RULES §8 "Reconciliation";
 * R 第二十一条): a statement is checked as a whole (nothing stored on any bad line), recognised
 * when sent twice (hash of its content), refused when its period overlaps another statement of the
 * account, matched with the account's ledger lines (src/reconciliation/domain/matching.ts), and
 * kept as one reconciliation with its matches; closed when its difference is explained.
 */
@Injectable()
export class ReconciliationService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly store: ReconciliationStore,
    private readonly workspace: ReconciliationWorkspaceService,
    private readonly instructions: PaymentInstructionsService,
    private readonly policies: PolicyService,
    private readonly reserveAccounts: ReserveAccountsService,
  ) {}

  /** POST /v1/reconciliations (with `dryRun`: what would match, nothing stored). */
  async import(upload: StatementUpload, principal: Principal | undefined, dryRun: boolean) {
    const parsed = checkStatement(upload.params, upload.lines);
    // The bank's current reserve account, or the (possibly closed) one the statement names.
    const account = await this.reserveAccounts.depositCodeFor(parsed.params.bankCode, parsed.params.accountNumber);
    // The import's own window, else the policy's (the version in force at the period's end).
    const windowDays = upload.params.windowDays ?? this.policies.versionFor(parsed.params.to).reconciliationWindowWorkingDays ?? DEFAULT_WINDOW_WORKING_DAYS;
    const hash = statementHash(parsed);
    await this.instructions.sync();
    const result = await this.tx.run(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`reconciliation:${account}`]);
      await this.assertNew(account, parsed, hash);
      const { from, to } = parsed.params;
      const book = await this.workspace.bookLines(account, from, to, null);
      const items: StatementItem[] = parsed.lines.map((l, i) => ({ position: i + 1, date: l.date, fen: l.fen, text: `${l.reference} ${l.memo}` }));
      const matched = matchStatement(items, book, { windowDays, dayIndex: workingDayIndex(book.reduce((a, b) => (b.date < a ? b.date : a), from), to) });
      if (dryRun) return { id: null, matched, items, book };
      const [row] = (await m.query(
        `INSERT INTO reconciliations (bank_code, book, account_code, period_from, period_to, opening_balance, closing_balance, line_count, source, encoding, file_hash, window_days, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING *`,
        [parsed.params.bankCode, RESERVE_BOOK, account, from, to, formatFen(parsed.openingFen), formatFen(parsed.closingFen), parsed.lines.length, upload.source, upload.encoding, hash, windowDays, principal?.tokenId ?? null],
      )) as ReconciliationRow[];
      const proposals = toNewMatches(matched, items, book);
      const ids = await this.store.insertMatches(row.id, account, proposals, null, false);
      await this.store.insertLines(row.id, parsed.lines, new Map(proposals.flatMap((p, i) => p.statement.map((s) => [s.position, ids[i]] as const))));
      // The figures from what is in memory: the same as a fresh read (the view reads them back).
      const ledgerClosingFen = await this.workspace.ledgerBalanceFen(account, to);
      const ws = this.workspace.assemble(row, storedLines(parsed), storedMatches(ids, proposals), book, ledgerClosingFen);
      return { id: row.id, matched, items, book, ws };
    });
    if (result.id === null || !('ws' in result)) return dryRunView(parsed, result.matched, result.items, result.book);
    return { ...this.summary(result.ws), hints: result.matched.hints };
  }

  private async assertNew(account: string, parsed: ParsedStatement, hash: string): Promise<void> {
    const m = this.tx.manager;
    const same = (await m.query(`SELECT id FROM reconciliations WHERE account_code = $1 AND file_hash = $2`, [account, hash])) as { id: string }[];
    if (same.length) {
      throw DomainError.conflict(STATEMENT_ERRORS.DUPLICATE, `This statement was already imported as reconciliation ${same[0].id}.`, [
        { code: STATEMENT_ERRORS.DUPLICATE, message: 'same content (hash)', reconciliationId: same[0].id },
      ]);
    }
    const { from, to, bankCode } = parsed.params;
    const overlap = (await m.query(
      `SELECT id, period_from, period_to FROM reconciliations WHERE account_code = $1 AND period_from <= $3 AND period_to >= $2 ORDER BY period_from LIMIT 10`,
      [account, from, to],
    )) as { id: string; period_from: string; period_to: string }[];
    if (overlap.length) {
      throw DomainError.conflict(
        STATEMENT_ERRORS.PERIOD_OVERLAP,
        `${bankCode}'s statement for ${from}…${to} overlaps ${overlap.map((o) => `${o.period_from}…${o.period_to}`).join(', ')}.`,
        overlap.map((o) => ({ code: STATEMENT_ERRORS.PERIOD_OVERLAP, message: `reconciliation ${o.id} covers ${o.period_from}…${o.period_to}`, reconciliationId: o.id, from: o.period_from, to: o.period_to })),
      );
    }
    if (!(await this.workspace.accountExists(account))) {
      throw DomainError.rule(STATEMENT_ERRORS.NO_ACCOUNT, `${bankCode} has no reserve deposit account in the books.`, [{ code: STATEMENT_ERRORS.NO_ACCOUNT, field: 'bankCode', message: `no account ${account}` }]);
    }
  }

  /** GET /v1/reconciliations: the statements imported, newest period first (figures as stored; open ones' live figures are on GET /{id}). */
  async list(filter: { bankCode?: string; status?: string }, limit = 100, cursor?: string) {
    const after = decodeCursor(cursor, (v): v is [string, string] => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string'));
    const rows = (await this.tx.manager.query(
      `SELECT id, bank_code, account_code, period_from, period_to, opening_balance::text AS opening_balance, closing_balance::text AS closing_balance, line_count, status, created_at, closed_at
         FROM reconciliations
        WHERE ($1::text IS NULL OR bank_code = $1) AND ($2::text IS NULL OR status = $2)
          AND ($3::date IS NULL OR (period_from, id) < ($3::date, $4::uuid))
        ORDER BY period_from DESC, id DESC LIMIT $5`,
      [filter.bankCode ?? null, filter.status ?? null, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
    )) as { id: string; bank_code: string; account_code: string; period_from: string; period_to: string; opening_balance: string; closing_balance: string; line_count: number; status: string; created_at: Date; closed_at: Date | null }[];
    return toPage(
      rows,
      limit,
      (r) => ({ id: r.id, bankCode: r.bank_code, account: r.account_code, from: r.period_from, to: r.period_to, openingBalance: r.opening_balance, closingBalance: r.closing_balance, lineCount: Number(r.line_count), status: r.status, createdAt: r.created_at, closedAt: r.closed_at }),
      (r) => [r.period_from, r.id],
    );
  }

  /** GET /v1/reconciliations/{id}: figures, both sides with their match status, the matches. */
  async view(id: string, lines: 'all' | 'unmatched' | 'none' = 'all') {
    const ws = await this.workspace.load(id);
    const shown = <T extends { status: string }>(items: T[]) => (lines === 'all' ? items : lines === 'none' ? [] : items.filter((i) => i.status === 'unmatched'));
    const matchOf = new Map<string, string>();
    for (const m of ws.matches) {
      for (const p of m.statement) matchOf.set(`S${p}`, m.id);
      for (const k of m.ledger) matchOf.set(`L${k}`, m.id);
    }
    return {
      ...this.summary(ws),
      statementLines: shown(ws.lines.map((l) => ({
        id: l.position,
        fileLine: l.fileLine,
        date: l.date,
        valueDate: l.valueDate,
        amount: formatFen(l.fen),
        balance: l.balance,
        counterparty: l.counterparty,
        reference: l.reference,
        memo: l.memo,
        status: matchOf.has(`S${l.position}`) ? 'matched' : 'unmatched',
        matchId: matchOf.get(`S${l.position}`) ?? null,
      }))),
      ledgerLines: shown(ws.book.map((b) => ({
        id: b.key,
        entryId: b.entryId,
        lineNo: b.lineNo,
        date: b.date,
        amount: formatFen(b.fen),
        reference: b.reference,
        memo: b.memo,
        carried: b.carried,
        status: matchOf.has(`L${b.key}`) ? 'matched' : 'unmatched',
        matchId: matchOf.get(`L${b.key}`) ?? null,
      }))),
      matches: (lines === 'all' ? ws.matches : []).map((m) => ({
        id: m.id,
        method: m.method,
        statementLines: m.statement,
        entries: m.ledger,
        statementTotal: formatFen(m.statementTotal),
        ledgerTotal: formatFen(m.ledgerTotal),
        reason: m.reason,
        by: m.createdBy,
        at: m.createdAt,
      })),
    };
  }

  /** The figures of a reconciliation (a closed one: as frozen at its close). */
  summary(ws: Workspace) {
    const { rec } = ws;
    const live = {
      matched: ws.matches.length,
      unmatchedStatement: ws.lines.filter((l) => !ws.matchedStatement.has(l.position)).length,
      unmatchedLedger: ws.book.filter((b) => !ws.matchedLedger.has(b.key)).length,
      ...ws.balance,
    };
    const figures = rec.status === 'closed' && rec.closed_summary ? (rec.closed_summary as typeof live) : live;
    return {
      id: rec.id,
      bankCode: rec.bank_code,
      account: rec.account_code,
      from: rec.period_from,
      to: rec.period_to,
      openingBalance: rec.opening_balance,
      closingBalance: rec.closing_balance,
      lineCount: Number(rec.line_count),
      source: rec.source,
      encoding: rec.encoding,
      windowDays: Number(rec.window_days),
      status: rec.status,
      createdAt: rec.created_at,
      createdBy: rec.created_by,
      closedAt: rec.closed_at,
      closedBy: rec.closed_by,
      ...figures,
    };
  }

  /** POST /v1/reconciliations/{id}/close: 409 while a difference is unexplained; a closed one is immutable. */
  async close(id: string, principal?: Principal) {
    await this.tx.run(async (m) => {
      const ws = await this.workspace.load(id, true);
      if (ws.rec.status === 'closed') throw closedError(id);
      if (!ws.balance.canClose) {
        throw DomainError.conflict(RECONCILIATION_ERRORS.DIFFERENCE_REMAINS, `Reconciliation ${id} cannot close: ${ws.balance.blockers.map((b) => b.message).join('; ')}.`, [
          ...ws.balance.blockers,
          ...ws.balance.explanation.map((e) => ({ code: e.kind.toUpperCase().replace(/-/g, '_'), message: `${e.amount} ${e.text}`, ref: e.ref, date: e.date, amount: e.amount })),
        ]);
      }
      const summary = this.summary(ws);
      const frozen = { matched: summary.matched, unmatchedStatement: summary.unmatchedStatement, unmatchedLedger: summary.unmatchedLedger, ...ws.balance };
      await m.query(`UPDATE reconciliations SET status = 'closed', closed_at = now(), closed_by = $2, closed_summary = $3 WHERE id = $1`, [id, principal?.tokenId ?? null, JSON.stringify(frozen)]);
    });
    return this.view(id);
  }
}

export function closedError(id: string): DomainError {
  return DomainError.conflict(RECONCILIATION_ERRORS.CLOSED, `Reconciliation ${id} is closed; a closed reconciliation is immutable.`);
}

/** SHA-256 of the statement's content: account, period, balances and lines (not the file's bytes, so a GBK and a UTF-8 copy are the same statement). */
function statementHash(parsed: ParsedStatement): string {
  const h = createHash('sha256');
  const p = parsed.params;
  h.update(`${p.bankCode}|${p.from}|${p.to}|${parsed.openingFen}|${parsed.closingFen}\n`);
  for (const l of parsed.lines) h.update(`${l.date}|${l.valueDate ?? ''}|${l.fen}|${l.reference}|${l.memo}|${l.counterparty}\n`);
  return h.digest('hex');
}

function toNewMatches(result: MatchResult, items: StatementItem[], book: BookLine[]): NewMatch[] {
  const byKey = new Map(book.map((b) => [b.key, b]));
  return result.matches.map((m) => ({
    method: m.method,
    reason: null,
    statement: m.statement.map((p) => items[p - 1]),
    ledger: m.ledger.map((k) => byKey.get(k) as BookLine),
  }));
}

function storedLines(parsed: ParsedStatement): StoredLine[] {
  return parsed.lines.map((l, i) => ({
    position: i + 1,
    fileLine: l.line,
    date: l.date,
    valueDate: l.valueDate,
    fen: l.fen,
    balance: l.balanceFen === null ? null : formatFen(l.balanceFen),
    counterparty: l.counterparty,
    reference: l.reference,
    memo: l.memo,
  }));
}

function storedMatches(ids: string[], proposals: NewMatch[]): StoredMatch[] {
  const now = new Date();
  return proposals.map((p, i) => ({
    id: ids[i],
    method: p.method,
    statementTotal: p.statement.reduce((a, s) => a + s.fen, 0n),
    ledgerTotal: p.ledger.reduce((a, l) => a + l.fen, 0n),
    reason: p.reason,
    createdAt: now,
    createdBy: null,
    statement: p.statement.map((s) => s.position),
    ledger: p.ledger.map((l) => l.key),
  }));
}

function dryRunView(parsed: ParsedStatement, result: MatchResult, items: StatementItem[], book: BookLine[]) {
  const usedS = new Set(result.matches.flatMap((m) => m.statement));
  const usedL = new Set(result.matches.flatMap((m) => m.ledger));
  return {
    dryRun: true,
    bankCode: parsed.params.bankCode,
    from: parsed.params.from,
    to: parsed.params.to,
    openingBalance: formatFen(parsed.openingFen),
    closingBalance: formatFen(parsed.closingFen),
    lineCount: parsed.lines.length,
    matched: result.matches.length,
    unmatchedStatement: items.filter((i) => !usedS.has(i.position)).length,
    unmatchedLedger: book.filter((b) => !usedL.has(b.key)).length,
    matches: result.matches,
    hints: result.hints,
  };
}
