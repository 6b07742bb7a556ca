import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../common/access/principal';
import { assertFourEyes } from '../common/access/four-eyes';
import { assertEventDates } from '../common/calendar/event-dates';
import { isValidQuarter, quarterLastDay } from '../common/calendar/quarter';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { fmtMoney } from '../common/format/figures';
import { isUuid } from '../common/ids';
import { D } from '../common/money/decimal';
import { Money } from '../common/money/money';
import { Rate } from '../common/money/rate';
import { AuthService } from '../auth/auth.service';
import { transferDraft } from '../ledger/domain/entry-draft';
import { AccountDefinition, LedgerAccountsService } from '../ledger/ledger-accounts.service';
import { LedgerPostingService } from '../ledger/ledger-posting.service';
import { LoanAggregatesService } from '../loans/loan-aggregates.service';
import { PartyLossRatesService } from '../programme/party-loss-rates.service';
import { PartiesService } from '../programme/parties.service';
import { PolicyService } from '../programme/policy.service';
import { isPaymentReference } from '../reconciliation/domain/payment-reference';
import { PaymentInstructionsService, PLACEMENT_TRANSFER_LINK } from '../reconciliation/payment-instructions.service';
import { DEPOSIT_PREFIX, PAYABLE_PREFIX, RESERVE_BOOK, depositBalancesByBank } from '../reserve/domain/books';
import { ReserveAccountsService } from '../reserve/reserve-accounts.service';
import { RESERVE_ERRORS } from '../reserve/domain/reserve.errors';
import { applyMinimumTransfer } from './domain/minimum-transfer';
import { computePlacement, type PlacementBankInput } from './domain/placement.calculator';
import { planTransfers } from './domain/transfer-plan.calculator';
import { PlacementProposal, type PlacementBankOut, type PlacementTransferOut } from './placement-proposal.entity';
import { PLACEMENT_ERRORS } from './placement.errors';

/** proposed_by of a proposal the quarter close made (no token asked for it). */
export const QUARTER_CLOSE_MAKER = 'quarter-close';

/** A balance that moved since the proposal was made. */
export interface StaleBalance {
  bankCode: string;
  proposed: string;
  now: string;
  /** When the balance is the same but the locked money moved. */
  lockedProposed?: string;
  lockedNow?: string;
}

export type PlacementView = ReturnType<typeof placementOut>;

function placementOut(p: PlacementProposal, stale: StaleBalance[] = []) {
  const status = p.status === 'proposed' && stale.length ? 'stale' : p.status;
  return {
    id: p.id,
    quarter: p.quarter,
    status,
    asOf: p.asOf,
    total: p.total.toString(),
    banks: p.banks,
    transfers: p.transfers,
    breakdown: p.breakdown,
    proposedBy: p.proposedBy,
    createdAt: p.createdAt,
    approvedOn: p.approvedOn,
    decidedBy: p.decidedBy,
    decidedAt: p.decidedAt,
    reason: p.reason,
    executedOn: p.executedOn,
    /** Why it is stale: the reserve balances that moved since it was made. */
    staleBalances: status === 'stale' ? stale : [],
  };
}

/**
 * The placement cycle (RULES §8 Decision 2026-12; R 第八、十条; docs/placement.md):
 * - a **proposal** (by the quarter close, or recomputed on demand by the trustee): each bank's inputs
 *   from the books as of the quarter end, the published scoring model's scores and targets to the
 *   fen (largest remainder, locked money untouched), the minimum-transfer rule, and the fewest
 *   transfers that reach the targets, each with the reference its payment instruction will carry;
 * - **stale** as soon as any reserve balance differs from the one it was computed from (shown on
 *   every read; a stale proposal cannot be approved, 409);
 * - **approval** by the approver (a trustee only while no approver token exists), never by the
 *   token that proposed it (four eyes), at most one per quarter; or **rejection** with a reason;
 * - **execution**: each transfer is a pair of payment instructions for the custodian; confirming
 *   it posts Dr deposit:TO / Cr deposit:FROM once, never below the paying account's floor or its
 *   locked money (409 with the figures otherwise); when every transfer is executed the proposal is.
 */
@Injectable()
export class PlacementService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly ledgerAccounts: LedgerAccountsService,
    private readonly posting: LedgerPostingService,
    private readonly loanAggregates: LoanAggregatesService,
    private readonly lossRates: PartyLossRatesService,
    private readonly policies: PolicyService,
    private readonly instructions: PaymentInstructionsService,
    private readonly reserveAccounts: ReserveAccountsService,
    private readonly auth: AuthService,
    private readonly parties: PartiesService,
    private readonly clock: Clock,
  ) {}

  /** The quarter close's proposal of `quarter`: the latest stored one, else a new one. */
  async propose(quarter: string): Promise<PlacementView> {
    return this.tx.run(async (m) => {
      const existing = await m.findOne(PlacementProposal, { where: { quarter }, order: { createdAt: 'DESC' } });
      if (existing) return placementOut(existing);
      return placementOut(await this.compute(m, quarter, QUARTER_CLOSE_MAKER));
    });
  }

  /**
   * POST /v1/placements: the trustee recomputes the proposal of a quarter that has ended (after a
   * balance changed, or after a rejection). The earlier proposals still `proposed` are superseded
   * (stale, with the new proposal named); refused once the quarter has an approved one.
   */
  async recompute(quarter: string, principal?: Principal): Promise<PlacementView> {
    if (!isValidQuarter(quarter)) {
      throw DomainError.invalid(PLACEMENT_ERRORS.INVALID_QUARTER, `"${String(quarter).slice(0, 20)}" is not a quarter written YYYYQn (e.g. 2025Q2).`, [
        { code: PLACEMENT_ERRORS.INVALID_QUARTER, field: 'quarter', message: 'expected YYYYQ1..YYYYQ4' },
      ]);
    }
    const asOf = quarterLastDay(quarter);
    const today = this.clock.today();
    if (asOf >= today) throw DomainError.conflict(PLACEMENT_ERRORS.QUARTER_NOT_ENDED, `${quarter} ends on ${asOf}: its placement is proposed after it has ended (today ${today}).`);
    const cycle = this.policies.versionFor(asOf).placementCycle;
    if (cycle === 'yearly' && !quarter.endsWith('Q4')) {
      throw DomainError.conflict(PLACEMENT_ERRORS.NOT_IN_CYCLE, `The placement cycle in force on ${asOf} is yearly: the placement is proposed for the year's fourth quarter, not ${quarter}.`);
    }
    return this.tx.run(async (m) => {
      await this.lockQuarter(m, quarter);
      await this.assertNoneApproved(m, quarter);
      const made = await this.compute(m, quarter, principal?.tokenId ?? null);
      await m.query(`UPDATE placement_proposals SET status = 'stale', reason = $3 WHERE quarter = $1 AND status = 'proposed' AND id <> $2`, [
        quarter,
        made.id,
        `superseded by proposal ${made.id}`,
      ]);
      return placementOut(made);
    });
  }

  /** GET /v1/placements/{id}: with `stale` when a reserve balance moved since it was made. */
  async get(id: string): Promise<PlacementView> {
    const p = await this.find(this.tx.manager, id);
    return placementOut(p, p.status === 'proposed' ? await this.staleBalances(p) : []);
  }

  /** GET /v1/placements?quarter=: newest first. */
  async list(quarter?: string): Promise<PlacementView[]> {
    const rows = await this.tx.manager.find(PlacementProposal, { where: quarter ? { quarter } : {}, order: { createdAt: 'DESC' }, take: 200 });
    const open = rows.some((r) => r.status === 'proposed');
    const current = open ? await this.currentBalances() : new Map<string, Money>();
    const payables = open ? await this.currentPayables() : new Map<string, Money>();
    return rows.map((p) => placementOut(p, p.status === 'proposed' ? staleAgainst(p, current, payables) : []));
  }

  /** The latest proposal of a quarter, or null. */
  async ofQuarter(quarter: string): Promise<PlacementView | null> {
    const p = await this.tx.manager.findOne(PlacementProposal, { where: { quarter }, order: { createdAt: 'DESC' } });
    return p ? placementOut(p, p.status === 'proposed' ? await this.staleBalances(p) : []) : null;
  }

  /** POST /v1/placements/{id}/approve. */
  async approve(id: string, approvedOn: string, principal?: Principal): Promise<PlacementView> {
    return this.tx.run(async (m) => {
      // Approvals and recomputations of one quarter queue on the quarter's lock, taken before the
      // proposal's row (the order recompute takes them in): two proposals approved at once → the
      // second is a 409 ALREADY_APPROVED.
      await this.lockQuarter(m, (await this.find(m, id)).quarter);
      const p = await this.find(m, id, true);
      if (p.status !== 'proposed') throw notProposed(p);
      if (principal?.role === 'trustee' && (await this.auth.hasUsableToken('approver', m))) {
        throw DomainError.forbidden(PLACEMENT_ERRORS.APPROVER_EXISTS, 'An approver token exists: the approver confirms the placement (a trustee approves only where no approver exists yet).');
      }
      assertFourEyes(principal, 'approve', [{ target: `placement ${p.id}`, makerTokenId: p.proposedBy, ids: { placementId: p.id } }]);
      assertEventDates(this.clock.today(), [{ field: 'approvedOn', date: approvedOn }], [{ field: 'approvedOn', date: approvedOn, notBefore: { field: 'asOf', date: p.asOf } }]);
      await this.assertNoneApproved(m, p.quarter);
      if (p.transfers.some((t) => !isPaymentReference(t.reference) || !t.inReference || !isPaymentReference(t.inReference))) {
        throw DomainError.conflict(PLACEMENT_ERRORS.STALE, `Proposal ${p.id} was made before transfers carried payment references: recompute it (POST /v1/placements) before approval.`);
      }
      // Balances and locked money are read under the banks' and the posting path's own locks, so
      // none moves between this check and the commit.
      await this.parties.lockBanks(p.banks.map((b) => b.bankCode).sort());
      await this.ledgerAccounts.lockByPrefix(RESERVE_BOOK, DEPOSIT_PREFIX);
      const stale = await this.staleBalances(p);
      if (stale.length) {
        throw DomainError.conflict(
          PLACEMENT_ERRORS.STALE,
          `Proposal ${p.id} is stale: ${stale.map(describeStale).join('; ')}. Recompute it (POST /v1/placements) before approval.`,
          stale.map((s) => ({ code: PLACEMENT_ERRORS.STALE, message: `${s.bankCode}: ${s.proposed} when proposed, ${s.now} now`, bankCode: s.bankCode, proposed: s.proposed, now: s.now })),
        );
      }
      p.status = p.transfers.length ? 'approved' : 'executed';
      p.approvedOn = approvedOn;
      p.decidedBy = principal?.tokenId ?? null;
      p.decidedAt = this.clock.now();
      if (!p.transfers.length) p.executedOn = approvedOn;
      await this.instructions.expectPlacementTransfers(
        p.transfers.map((t) => ({
          key: transferKey(p, t),
          fromBankCode: t.fromBankCode,
          toBankCode: t.toBankCode,
          amount: t.amount,
          outReference: t.reference,
          inReference: t.inReference as string,
          memo: transferMemo(p, t),
        })),
      );
      return placementOut(await m.save(p));
    });
  }

  /** POST /v1/placements/{id}/reject: a proposed (or stale) proposal, with the reason. */
  async reject(id: string, reason: string, principal?: Principal): Promise<PlacementView> {
    return this.tx.run(async (m) => {
      const p = await this.find(m, id, true);
      if (p.status !== 'proposed') throw notProposed(p);
      p.status = 'rejected';
      p.reason = reason;
      p.decidedBy = principal?.tokenId ?? null;
      p.decidedAt = this.clock.now();
      return placementOut(await m.save(p));
    });
  }

  /**
   * POST /v1/placements/{id}/transfers/{transferId}/executed (custodian): the transfer was made at
   * the banks. Posts Dr reserve:deposit:TO / Cr reserve:deposit:FROM once; asked again, returns the
   * proposal as the first call left it. Refused (409, with the figures) when the paying account
   * would go below its floor or its locked money — a payout made since the approval may have used
   * the money.
   */
  async executeTransfer(id: string, transferId: string, executedOn: string, principal?: Principal): Promise<PlacementView> {
    const view = await this.tx.run(async (m) => {
      const p = await this.find(m, id, true);
      const index = p.transfers.findIndex((t) => t.id === transferId);
      if (index < 0) throw DomainError.notFound(PLACEMENT_ERRORS.TRANSFER_NOT_FOUND, `Proposal ${p.id} has no transfer ${transferId.slice(0, 64)}.`);
      const t = p.transfers[index];
      if (t.status === 'executed') return placementOut(p);
      if (p.status !== 'approved') {
        throw DomainError.conflict(PLACEMENT_ERRORS.NOT_APPROVED, `Proposal ${p.id} is ${p.status}: only the transfers of an approved proposal are executed.`);
      }
      assertEventDates(this.clock.today(), [{ field: 'executedOn', date: executedOn }], [{ field: 'executedOn', date: executedOn, notBefore: { field: 'approvedOn', date: p.approvedOn } }]);
      // The two banks' rows first (the order of claim approval and of account moves: banks, then
      // ledger rows), so compensation approved for the paying bank meanwhile is waited for and
      // counted as locked; then the deposit accounts, so no payout moves a balance under the check.
      await this.parties.lockBanks([t.fromBankCode, t.toBankCode].sort());
      await this.ledgerAccounts.lockByPrefix(RESERVE_BOOK, DEPOSIT_PREFIX);
      // The banks' current accounts (an account moved since the approval is the new one; docs/reserve-accounts.md).
      const deposits = await this.reserveAccounts.currentDeposits([t.fromBankCode, t.toBankCode]);
      const from = deposits.get(t.fromBankCode) as AccountDefinition;
      const balance = await this.ledgerAccounts.currentBalance(RESERVE_BOOK, from.code);
      const locked = await this.ledgerAccounts.currentBalance(RESERVE_BOOK, `${PAYABLE_PREFIX}${t.fromBankCode}`);
      const floor = Money.of(String(from.floor ?? '0'));
      const amount = Money.of(t.amount);
      const keep = locked.max(floor);
      if (balance.minus(amount).lt(keep)) {
        const message = `${t.fromBankCode}'s reserve account holds ${fmtMoney(balance)}; moving ${fmtMoney(amount)} would leave ${fmtMoney(balance.minus(amount))}, below ${fmtMoney(keep)} (locked ${fmtMoney(locked)}, floor ${fmtMoney(floor)})`;
        throw DomainError.conflict(PLACEMENT_ERRORS.TRANSFER_BREACHES_FLOOR, `Transfer ${t.id} refused: ${message}.`, [
          { code: PLACEMENT_ERRORS.TRANSFER_BREACHES_FLOOR, message, bankCode: t.fromBankCode, balance: balance.toString(), amount: amount.toString(), locked: locked.toString(), floor: floor.toString() },
        ]);
      }
      const to = deposits.get(t.toBankCode) as AccountDefinition;
      await this.ledgerAccounts.ensureAccounts([from, to]);
      const entry = await this.posting.post(
        null,
        transferDraft({ book: RESERVE_BOOK, effectiveDate: executedOn, memo: transferMemo(p, t), debit: to.code, credit: from.code, amount, link: { type: PLACEMENT_TRANSFER_LINK, id: transferKey(p, t) } }),
      );
      p.transfers = p.transfers.map((x, i) => (i === index ? { ...x, status: 'executed' as const, executedOn, executedBy: principal?.tokenId ?? null, entryId: entry.id } : x));
      if (p.transfers.every((x) => x.status === 'executed')) {
        p.status = 'executed';
        p.executedOn = p.transfers.reduce((last, x) => ((x.executedOn as string) > last ? (x.executedOn as string) : last), executedOn);
      }
      await this.instructions.confirmPlacementTransfer(transferKey(p, t), executedOn, principal);
      return placementOut(await m.save(p));
    });
    return view;
  }

  private async find(m: EntityManager, id: string, lock = false): Promise<PlacementProposal> {
    const p = isUuid(id) ? await m.findOne(PlacementProposal, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) }) : null;
    if (!p) throw DomainError.notFound(RESERVE_ERRORS.PLACEMENT_NOT_FOUND, `No placement proposal ${id.slice(0, 64)}.`);
    return p;
  }

  private async lockQuarter(m: EntityManager, quarter: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('placement_proposals:' || $1))`, [quarter]);
  }

  private async assertNoneApproved(m: EntityManager, quarter: string): Promise<void> {
    const approved = await m.findOne(PlacementProposal, { where: [{ quarter, status: 'approved' }, { quarter, status: 'executed' }] });
    if (approved) {
      throw DomainError.conflict(PLACEMENT_ERRORS.ALREADY_APPROVED, `${quarter} already has an approved placement (${approved.id}, ${approved.status}); only one is approved per quarter.`);
    }
  }

  /** Per bank, money approved and not yet paid out of its account (reserve:payable:BANK). */
  private async currentPayables(): Promise<Map<string, Money>> {
    return new Map((await this.ledgerAccounts.balancesByPrefix(RESERVE_BOOK, PAYABLE_PREFIX, null)).map((b) => [b.code.slice(PAYABLE_PREFIX.length), b.balance]));
  }

  private async currentBalances(): Promise<Map<string, Money>> {
    // Per bank, its accounts together (a moved account holds 0.00).
    return new Map(depositBalancesByBank(await this.ledgerAccounts.balancesByPrefix(RESERVE_BOOK, DEPOSIT_PREFIX, null)).map((b) => [b.bankCode, b.balance]));
  }

  private async staleBalances(p: PlacementProposal): Promise<StaleBalance[]> {
    return staleAgainst(p, await this.currentBalances(), await this.currentPayables());
  }

  /** Computes and stores a new proposal of `quarter` from the books as of its last day and the current balances. */
  private async compute(m: EntityManager, quarter: string, proposedBy: string | null): Promise<PlacementProposal> {
    const asOf = quarterLastDay(quarter);
    const policy = this.policies.versionFor(asOf);
    const balances = await this.currentBalances();
    const payable = await this.currentPayables();
    const figures = new Map((await this.loanAggregates.placementFigures(asOf, Money.of(policy.smallBorrowerRevenueMax))).map((f) => [f.bankCode, f]));
    const rates = new Map((await this.lossRates.ofQuarter('bank', quarter)).map((r) => [r.partyCode, r]));
    const disqualified = new Set((await this.lossRates.parties('bank')).filter((b) => b.status === 'disqualified').map((b) => b.code));
    // Every bank that holds reserve money, and every bank with loans outstanding that is not disqualified.
    const codes = [...new Set([...balances.keys(), ...figures.keys()])].filter((c) => !disqualified.has(c) || (balances.get(c) ?? Money.ZERO).isPositive()).sort();
    const total = Money.sum(codes.map((c) => balances.get(c) ?? Money.ZERO));
    const inputs: PlacementBankInput[] = codes.map((c) => {
      const f = figures.get(c);
      const balance = balances.get(c) ?? Money.ZERO;
      const rate = rates.get(c);
      return {
        bankCode: c,
        outstandingBalance: Money.of(f?.outstanding ?? '0'),
        averageTermMonths: new D(f?.averageTermMonths ?? '0'),
        averageRate: Rate.of(f?.averageRate ?? '0'),
        collateralRatio: Rate.of(f?.collateralRatio ?? '0'),
        smallBorrowerShare: Rate.of(f?.smallBorrowerShare ?? '0'),
        lossRate: rate ? rate.rate : null,
        lockedAmount: (payable.get(c) ?? Money.ZERO).min(balance),
      };
    });
    let banks: PlacementBankOut[] = [];
    let transfers: PlacementTransferOut[] = [];
    let breakdown: PlacementProposal['breakdown'] = [];
    if (inputs.length && total.isPositive()) {
      const placement = computePlacement({ total, banks: inputs }, policy);
      const minimum = applyMinimumTransfer(
        placement.banks.map((b) => ({ bankCode: b.bankCode, current: balances.get(b.bankCode) ?? Money.ZERO, target: b.target, locked: b.lockedAmount })),
        Money.of(policy.placementMinimumTransfer),
      );
      const targets = new Map(minimum.targets.map((t) => [t.bankCode, t.target]));
      const plan = planTransfers({ accounts: placement.banks.map((b) => ({ bankCode: b.bankCode, current: balances.get(b.bankCode) ?? Money.ZERO, target: targets.get(b.bankCode) as Money })) });
      const byCode = new Map(inputs.map((i) => [i.bankCode, i]));
      banks = placement.banks.map((b) => {
        const input = byCode.get(b.bankCode) as PlacementBankInput;
        const rate = rates.get(b.bankCode);
        return {
          bankCode: b.bankCode,
          balance: (balances.get(b.bankCode) ?? Money.ZERO).toString(),
          locked: b.lockedAmount.toString(),
          score: b.score.toDecimalPlaces(8).toFixed(),
          target: (targets.get(b.bankCode) as Money).toString(),
          scoredTarget: b.target.toString(),
          inputs: {
            outstandingBalance: input.outstandingBalance.toString(),
            averageTermMonths: input.averageTermMonths.toFixed(),
            averageRate: input.averageRate.value.toFixed(),
            collateralRatio: input.collateralRatio.value.toFixed(),
            smallBorrowerShare: input.smallBorrowerShare.value.toFixed(),
            lossRate: input.lossRate ? input.lossRate.value.toFixed() : null,
            compensationReceived: rate ? rate.numerator.toString() : '0.00',
          },
        };
      });
      const references = await this.instructions.reserveReferences(plan.transfers.length * 2);
      transfers = plan.transfers.map((t, i) => ({
        id: `T${i + 1}`,
        fromBankCode: t.from,
        toBankCode: t.to,
        amount: t.amount.toString(),
        reference: references[2 * i],
        inReference: references[2 * i + 1],
        status: 'pending' as const,
      }));
      breakdown = [...placement.breakdown, ...minimum.breakdown, ...plan.breakdown];
    }
    return m.save(m.create(PlacementProposal, { quarter, status: 'proposed', asOf, total, banks, transfers, breakdown, proposedBy }));
  }
}

/**
 * What moved since the proposal was made: each bank whose balance differs from the proposal's (a
 * bank absent from it counts as 0.00 there), and each bank whose locked money (approved, not yet
 * paid; at most its balance) differs — either one changes what the targets would be.
 */
function staleAgainst(p: PlacementProposal, current: ReadonlyMap<string, Money>, payables: ReadonlyMap<string, Money>): StaleBalance[] {
  const proposed = new Map(p.banks.map((b) => [b.bankCode, b]));
  const codes = [...new Set([...proposed.keys(), ...current.keys()])].sort();
  const out: StaleBalance[] = [];
  for (const c of codes) {
    const was = proposed.get(c);
    const now = current.get(c) ?? Money.ZERO;
    const before = was ? Money.of(was.balance) : Money.ZERO;
    if (!before.eq(now)) out.push({ bankCode: c, proposed: before.toString(), now: now.toString() });
    else if (was && !Money.of(was.locked).eq((payables.get(c) ?? Money.ZERO).min(now))) {
      out.push({ bankCode: c, proposed: before.toString(), now: now.toString(), lockedProposed: was.locked, lockedNow: (payables.get(c) ?? Money.ZERO).min(now).toString() });
    }
  }
  return out;
}

function describeStale(s: StaleBalance): string {
  if (s.lockedProposed !== undefined) return `${s.bankCode} locked ${fmtMoney(Money.of(s.lockedProposed))} → ${fmtMoney(Money.of(s.lockedNow as string))}`;
  return `${s.bankCode} ${fmtMoney(Money.of(s.proposed))} → ${fmtMoney(Money.of(s.now))}`;
}

function transferKey(p: PlacementProposal, t: PlacementTransferOut): string {
  return `${p.id}/${t.id}`;
}

function transferMemo(p: PlacementProposal, t: PlacementTransferOut): string {
  return `Placement ${p.quarter} transfer ${t.id}: ${t.fromBankCode} → ${t.toBankCode} (${t.reference})`;
}

function notProposed(p: PlacementProposal): DomainError {
  return DomainError.conflict(p.status === 'stale' ? PLACEMENT_ERRORS.STALE : PLACEMENT_ERRORS.NOT_PROPOSED, `Proposal ${p.id} is ${p.status}${p.reason ? ` (${p.reason})` : ''}: only a proposed placement is approved or rejected.`);
}
