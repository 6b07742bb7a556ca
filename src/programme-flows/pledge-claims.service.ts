import { Injectable } from '@nestjs/common';
import { assertFourEyes } from '../common/access/four-eyes';
import { assertBankScope } from '../common/access/party-scope';
import type { Principal } from '../common/access/principal';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { fmtRatio } from '../common/format/figures';
import { isUuid } from '../common/ids';
import type { Money } from '../common/money/money';
import type { PostingRecipe } from '../ledger/domain/entry-draft';
import { LedgerAccountsService } from '../ledger/ledger-accounts.service';
import { LedgerPostingService } from '../ledger/ledger-posting.service';
import { PLEDGE_BOOK, advanceApprovalPosting, payablePaidPosting, refundReceivedPosting, settlementPosting } from './domain/flow-books';
import { FLOW_DAY_COUNT_BASIS } from './domain/flow-parameters';
import { PLEDGE_ERRORS } from './domain/flows.errors';
import { nextPledgeStatus } from './domain/pledge-lifecycle';
import { pledgeAdvance, pledgeSettlement } from './domain/pledge-settlement.calculator';
import { assertFlowDates } from './flow-dates';
import { type FlowLoan, FlowSourceService } from './flow-source.service';
import { canReadFlowRow } from './flow-scope';
import { PledgeClaim } from './programme-flows.entities';

const money = (m: Money | null) => (m ? m.toString() : null);

/** A pledge claim as the API shows it. */
function pledgeOut(c: PledgeClaim) {
  return {
    id: c.id,
    loanId: c.loanId,
    bankCode: c.bankCode,
    programme: c.programme,
    programmeVersionId: c.programmeVersionId,
    status: c.status,
    claimDate: c.claimDate,
    outstandingPrincipal: c.outstandingPrincipal.toString(),
    interestUnpaidSince: c.interestUnpaidSince,
    annualRate: c.annualRate.toString(),
    days: c.days,
    interest: c.interest.toString(),
    lossAmount: c.lossAmount.toString(),
    advanceRatio: fmtRatio(c.advanceRatio),
    settlementRatio: fmtRatio(c.settlementRatio),
    advance: c.advance.toString(),
    review: { reviewedOn: c.reviewedOn, reason: c.reviewReason },
    approvedOn: c.approvedOn,
    advancePaidOn: c.advancePaidOn,
    sale: c.soldOn ? { soldOn: c.soldOn, proceeds: money(c.proceeds), disposalCosts: money(c.disposalCosts), netProceeds: money(c.netProceeds) } : null,
    settlement: c.settledOn
      ? { settledOn: c.settledOn, finalLoss: money(c.finalLoss), finalCompensation: money(c.finalCompensation), direction: c.direction, difference: money(c.difference), breakdown: c.settlementBreakdown }
      : null,
    closedOn: c.closedOn,
    actors: { filedBy: c.filedBy, reviewedBy: c.reviewedBy, approvedBy: c.approvedBy, advancePaidBy: c.advancePaidBy },
    entries: { approval: c.approvalEntryId, advance: c.advanceEntryId, settlement: c.settlementEntryId, closing: c.closingEntryId },
    breakdown: c.breakdown,
  };
}

export type PledgeClaimView = ReturnType<typeof pledgeOut>;

const notFound = (loanId: string, id: string) =>
  DomainError.notFound(PLEDGE_ERRORS.NOT_FOUND, `No pledge claim ${id} on loan ${loanId}.`, [{ code: PLEDGE_ERRORS.NOT_FOUND, field: 'claimId', message: 'not found' }]);

/**
 * The two-phase IP-pledge claim (issue 18 item 3; RULES §11; xinxiang 七.3; docs/programme-flows.md):
 * the bank files at default, the trustee reviews, the approver approves the advance (posting it
 * payable), the custodian pays it; after the pledge is sold the bank records the sale and the
 * settlement posts the difference; the refund's arrival or the top-up's payment closes the claim.
 * Every step locks the claim and posts in the same transaction as its change.
 */
@Injectable()
export class PledgeClaimsService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly source: FlowSourceService,
    private readonly posting: LedgerPostingService,
    private readonly ledgerAccounts: LedgerAccountsService,
    private readonly clock: Clock,
  ) {}

  async file(loanId: string, input: { claimDate: string; outstandingPrincipal: Money; interestUnpaidSince: string }, principal?: Principal): Promise<PledgeClaimView> {
    const id = await this.tx.run(async (m) => {
      const { loan, parameters } = await this.source.pledgeFlow(loanId, principal, m);
      const programme = loan.programme;
      this.assertFileable(loan, input);
      const computed = pledgeAdvance({
        principal: input.outstandingPrincipal,
        annualRate: loan.annualRate,
        interestUnpaidSince: input.interestUnpaidSince,
        claimDate: input.claimDate,
        advanceRatio: parameters.advanceRatio,
        dayCountBasis: FLOW_DAY_COUNT_BASIS,
      });
      // Serialises filings on one loan; the partial unique index backs it up.
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`pledge-claim:${loan.id}`]);
      const open = await m.getRepository(PledgeClaim).createQueryBuilder('c').where('c.loan_id = :id AND c.status <> :rejected', { id: loan.id, rejected: 'rejected' }).getOne();
      if (open) throw DomainError.conflict(PLEDGE_ERRORS.ALREADY_OPEN, `Loan ${loan.id} already has pledge claim ${open.id} (${open.status}).`, [{ code: PLEDGE_ERRORS.ALREADY_OPEN, field: 'loanId', message: `open claim ${open.id}`, claimId: open.id }]);
      const repo = m.getRepository(PledgeClaim);
      const saved = await repo.save(
        repo.create({
          loanId: loan.id,
          bankCode: loan.bankCode,
          programme,
          programmeVersionId: loan.programmeVersionId,
          status: 'filed',
          claimDate: input.claimDate,
          outstandingPrincipal: input.outstandingPrincipal,
          interestUnpaidSince: input.interestUnpaidSince,
          annualRate: loan.annualRate,
          days: computed.days,
          interest: computed.interest,
          lossAmount: computed.lossAmount,
          advanceRatio: parameters.advanceRatio,
          settlementRatio: parameters.settlementRatio,
          advance: computed.advance,
          breakdown: computed.breakdown.map((s) => ({ ...s, policyVersion: loan.programmeVersionId })),
          filedBy: principal?.tokenId ?? null,
        }),
      );
      return saved.id;
    });
    return this.view(loanId, id);
  }

  /** The principal is positive and at most the loan; interest unpaid from the contract date at the earliest (RULES §4 dates, as for Henan's claims). */
  private assertFileable(loan: FlowLoan, input: { claimDate: string; outstandingPrincipal: Money; interestUnpaidSince: string }): void {
    if (!input.outstandingPrincipal.isPositive() || input.outstandingPrincipal.gt(loan.amount)) {
      throw DomainError.rule(PLEDGE_ERRORS.PRINCIPAL_INVALID, `The outstanding principal must be positive and at most the loan's ${loan.amount.toString()}.`, [
        { code: PLEDGE_ERRORS.PRINCIPAL_INVALID, field: 'outstandingPrincipal', message: `0 < principal ≤ ${loan.amount.toString()}` },
      ]);
    }
    assertFlowDates(
      this.clock.today(),
      [{ field: 'claimDate', date: input.claimDate }, { field: 'interestUnpaidSince', date: input.interestUnpaidSince }],
      [
        { field: 'interestUnpaidSince', date: input.interestUnpaidSince, notBefore: { field: 'contractDate', date: loan.contractDate } },
        { field: 'claimDate', date: input.claimDate, notBefore: { field: 'interestUnpaidSince', date: input.interestUnpaidSince } },
      ],
      PLEDGE_ERRORS.DATES_OUT_OF_ORDER,
    );
  }

  /** Trustee's review: recommend, or reject with a reason. */
  async review(loanId: string, id: string, input: { decision: 'recommend' | 'reject'; reason: string | null; reviewedOn: string }, principal?: Principal): Promise<PledgeClaimView> {
    if (input.decision === 'reject' && !input.reason?.trim()) {
      throw DomainError.invalid(PLEDGE_ERRORS.REASON_REQUIRED, 'A rejection needs a reason.', [{ code: PLEDGE_ERRORS.REASON_REQUIRED, field: 'reason', message: 'required when rejecting' }]);
    }
    await this.tx.run(async (m) => {
      const claim = await this.lock(loanId, id);
      const status = nextPledgeStatus(id, claim.status, input.decision);
      this.assertStep(claim, 'reviewedOn', input.reviewedOn, 'claimDate', claim.claimDate);
      await m.update(PledgeClaim, { id }, { status, reviewedOn: input.reviewedOn, reviewReason: input.reason ?? null, reviewedBy: principal?.tokenId ?? null });
    });
    return this.view(loanId, id);
  }

  /** The approver approves the advance (four eyes against the reviewer): Dr advance / Cr payable. */
  async approve(loanId: string, id: string, input: { approvedOn: string }, principal?: Principal): Promise<PledgeClaimView> {
    await this.tx.run(async (m) => {
      const claim = await this.lock(loanId, id);
      const status = nextPledgeStatus(id, claim.status, 'approve');
      assertFourEyes(principal, 'approve', [{ target: `pledge claim ${id}`, makerTokenId: claim.reviewedBy, ids: { claimId: id } }]);
      this.assertStep(claim, 'approvedOn', input.approvedOn, 'reviewedOn', claim.reviewedOn);
      const entryId = claim.advance.isPositive() ? await this.post(advanceApprovalPosting({ claimId: id, bankCode: claim.bankCode, advance: claim.advance, approvedOn: input.approvedOn })) : null;
      await m.update(PledgeClaim, { id }, { status, approvedOn: input.approvedOn, approvedBy: principal?.tokenId ?? null, approvalEntryId: entryId });
    });
    return this.view(loanId, id);
  }

  /** The custodian pays the advance from the fund (floor 0.00: an underfunded fund refuses, 422 LEDGER.FLOOR_BREACH). */
  async payAdvance(loanId: string, id: string, input: { paidOn: string }, principal?: Principal): Promise<PledgeClaimView> {
    await this.tx.run(async (m) => {
      const claim = await this.lock(loanId, id);
      const status = nextPledgeStatus(id, claim.status, 'pay_advance');
      this.assertStep(claim, 'paidOn', input.paidOn, 'approvedOn', claim.approvedOn);
      const entryId = claim.advance.isPositive()
        ? await this.post(payablePaidPosting({ book: PLEDGE_BOOK, bankCode: claim.bankCode, amount: claim.advance, paidOn: input.paidOn, memo: `Advance compensation paid, pledge claim ${id}`, link: { type: 'pledge-claim', id } }))
        : null;
      await m.update(PledgeClaim, { id }, { status, advancePaidOn: input.paidOn, advancePaidBy: principal?.tokenId ?? null, advanceEntryId: entryId });
    });
    return this.view(loanId, id);
  }

  /** The pledge was sold: the settlement is computed and posted (refund due, top-up payable, or none — which closes the claim). */
  async settle(loanId: string, id: string, input: { soldOn: string; proceeds: Money; disposalCosts: Money }, principal?: Principal): Promise<PledgeClaimView> {
    await this.tx.run(async (m) => {
      const claim = await this.lock(loanId, id, principal);
      assertBankScope(principal, claim.bankCode);
      let status = nextPledgeStatus(id, claim.status, 'settle');
      this.assertStep(claim, 'soldOn', input.soldOn, 'advancePaidOn', claim.advancePaidOn);
      const s = pledgeSettlement({ lossAmount: claim.lossAmount, advance: claim.advance, proceeds: input.proceeds, disposalCosts: input.disposalCosts, settlementRatio: claim.settlementRatio });
      const recipe = settlementPosting({ claimId: id, bankCode: claim.bankCode, advance: claim.advance, finalCompensation: s.finalCompensation, direction: s.direction, difference: s.difference, settledOn: input.soldOn });
      const entryId = recipe.entry.lines.length ? await this.post(recipe) : null;
      const closes = s.direction === 'none';
      if (closes) status = nextPledgeStatus(id, status, 'close');
      await m.update(PledgeClaim, { id }, {
        status,
        soldOn: input.soldOn,
        proceeds: input.proceeds,
        disposalCosts: input.disposalCosts,
        netProceeds: s.netProceeds,
        finalLoss: s.finalLoss,
        finalCompensation: s.finalCompensation,
        direction: s.direction,
        difference: s.difference,
        settlementBreakdown: s.breakdown.map((b) => ({ ...b, policyVersion: claim.programmeVersionId })),
        settledOn: input.soldOn,
        settlementEntryId: entryId,
        closedOn: closes ? input.soldOn : null,
      });
    });
    return this.view(loanId, id);
  }

  /** The difference moved: the bank's refund arrived in the fund, or the custodian paid the top-up. Closes the claim. */
  async closeSettlement(loanId: string, id: string, input: { movedOn: string }, principal?: Principal): Promise<PledgeClaimView> {
    await this.tx.run(async (m) => {
      const claim = await this.lock(loanId, id, principal);
      assertBankScope(principal, claim.bankCode);
      const status = nextPledgeStatus(id, claim.status, 'close');
      this.assertStep(claim, 'movedOn', input.movedOn, 'settledOn', claim.settledOn);
      const amount = claim.difference as Money;
      const recipe =
        claim.direction === 'refund'
          ? refundReceivedPosting({ claimId: id, bankCode: claim.bankCode, amount, receivedOn: input.movedOn })
          : payablePaidPosting({ book: PLEDGE_BOOK, bankCode: claim.bankCode, amount, paidOn: input.movedOn, memo: `Settlement top-up paid, pledge claim ${id}`, link: { type: 'pledge-claim', id } });
      const entryId = await this.post(recipe);
      await m.update(PledgeClaim, { id }, { status, closedOn: input.movedOn, closingEntryId: entryId });
    });
    return this.view(loanId, id);
  }

  // ---- reads ----

  /** The loan's claims the principal may see (a bank its own; an unknown loan has none). */
  async list(loanId: string, principal?: Principal): Promise<{ items: PledgeClaimView[] }> {
    const rows = isUuid(loanId) ? await this.tx.manager.getRepository(PledgeClaim).find({ where: { loanId }, order: { createdAt: 'ASC', id: 'ASC' } }) : [];
    return { items: rows.filter((r) => canReadFlowRow(principal, r)).map(pledgeOut) };
  }

  async get(loanId: string, id: string, principal?: Principal): Promise<PledgeClaimView> {
    const claim = isUuid(id) && isUuid(loanId) ? await this.tx.manager.getRepository(PledgeClaim).findOne({ where: { id, loanId } }) : null;
    if (!claim || !canReadFlowRow(principal, claim)) throw notFound(loanId, id);
    return pledgeOut(claim);
  }

  private async view(loanId: string, id: string): Promise<PledgeClaimView> {
    return this.get(loanId, id);
  }

  /** The claim, locked; another bank's is a 404 as when reading it (then a bank token may act on its own only). */
  private async lock(loanId: string, id: string, principal?: Principal): Promise<PledgeClaim> {
    const claim = isUuid(id) && isUuid(loanId) ? await this.tx.manager.getRepository(PledgeClaim).findOne({ where: { id, loanId }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!claim || !canReadFlowRow(principal, claim)) throw notFound(loanId, id);
    return claim;
  }

  private assertStep(claim: PledgeClaim, field: string, date: string, previousField: string, previous: string | null): void {
    assertFlowDates(this.clock.today(), [{ field, date }], [{ field, date, notBefore: { field: previousField, date: previous } }], PLEDGE_ERRORS.DATES_OUT_OF_ORDER);
  }

  /** Opens the recipe's accounts and posts its entry in the open transaction; returns the entry id. */
  private async post(recipe: PostingRecipe): Promise<string> {
    await this.ledgerAccounts.ensureAccounts(recipe.accounts);
    return (await this.posting.post(null, recipe.entry)).id;
  }
}
