import { Injectable } from '@nestjs/common';
import { AgencyMarginService } from '../agencies/agency-margin.service';
import { TransactionScope } from '../common/database/transaction-scope';
import { assertFourEyes } from '../common/access/four-eyes';
import { canReadLoan } from '../common/access/party-scope';
import type { Principal } from '../common/access/principal';
import { DomainError, type ErrorDetail } from '../common/errors/domain-error';
import { assertEventDates } from '../common/calendar/event-dates';
import { Clock } from '../common/clock/clock';
import { PolicyService } from '../programme/policy.service';
import { BankAnnualCapService } from './bank-annual-cap.service';
import { applyBankAnnualCap, hasBankAnnualCap } from './domain/bank-annual-cap.calculator';
import { isUuid } from '../common/ids';
import { Money } from '../common/money/money';
import { LedgerAccountsService } from '../ledger/ledger-accounts.service';
import { LedgerPostingService } from '../ledger/ledger-posting.service';
import { PartiesService } from '../programme/parties.service';
import { approvalPosting } from '../reserve/domain/reserve-postings';
import { ClaimNamesService } from './claim-names.service';
import { ApprovalBatch, Claim } from './claim.entity';
import { ClaimsService } from './claims.service';
import { canApply, nextStatus } from './domain/claim-lifecycle';
import { BATCH_ERRORS, CLAIM_ERRORS, claimErrors } from './domain/claims.errors';

/**
 * Approval of recommended claims in batches (RULES §4; R 第十四条), each with the agency's margin
 * deduction (RULES §7; A 第十八条), all in one transaction.
 *
 * Reserve-book posting per claim (src/reserve/domain/reserve-postings.ts `approvalPosting`):
 * Dr reserve:awaiting-recovery:CLAIM / Cr reserve:payable:BANK, the compensation.
 */
@Injectable()
export class ApprovalBatchesService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly claims: ClaimsService,
    private readonly posting: LedgerPostingService,
    private readonly ledgerAccounts: LedgerAccountsService,
    private readonly parties: PartiesService,
    private readonly margins: AgencyMarginService,
    private readonly annualCap: BankAnnualCapService,
    private readonly policies: PolicyService,
    private readonly clock: Clock,
    private readonly names: ClaimNamesService,
  ) {}

  /**
   * Approves recommended claims together on one date. All or nothing: any claim that is not
   * recommended (or was recommended after the approval date) refuses the whole batch, listing
   * each. For each claim: the compensation payable is posted and the agency's margin deduction
   * taken.
   */
  async approve(input: { claimIds: string[]; approvedOn: string }, principal?: Principal) {
    const ids = [...new Set(input.claimIds)];
    if (ids.length !== input.claimIds.length) throw DomainError.invalid(BATCH_ERRORS.DUPLICATE_CLAIM, 'A claim is listed twice in the batch.');
    assertEventDates(this.clock.today(), [{ field: 'approvedOn', date: input.approvedOn }]);
    const batchId = await this.tx.run(async (m) => {
      const locked = await this.claims.lockClaims(ids);
      assertFourEyes(principal, 'approve', locked.map((c) => ({ target: `claim ${c.id}`, makerTokenId: c.reviewedBy, ids: { claimId: c.id } })));
      refuseUnapprovable(locked, input.approvedOn);
      // Claims in filing order, so each agency's deductions (and each bank's annual room) follow the order of its claims.
      const sorted = [...locked].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
      await this.parties.lockBanks([...new Set(sorted.map((c) => c.bankCode))].sort());
      const ordered = await this.applyAnnualCaps(sorted, input.approvedOn);
      const batch = await m.getRepository(ApprovalBatch).save(
        m.getRepository(ApprovalBatch).create({ approvedOn: input.approvedOn, approvedBy: principal?.tokenId ?? null, claimCount: ordered.length, totalCompensation: Money.sum(ordered.map((c) => c.compensation)) }),
      );
      // Agencies locked up front in code order, so concurrent batches touching the same agencies
      // queue instead of deadlocking; all approval entries go to the ledger in one postMany (two
      // separate posts into one book inside a transaction could deadlock with a concurrent one).
      await this.parties.lockAgencies([...new Set(ordered.map((c) => c.agencyCode))].sort());
      const names = await this.names.of(ordered);
      const approvals = ordered.map((claim) =>
        approvalPosting({ claimId: claim.id, bankCode: claim.bankCode, compensation: claim.compensation, approvedOn: input.approvedOn, batchId: batch.id, names: names.get(claim.id) }),
      );
      for (const approval of approvals) await this.ledgerAccounts.ensureAccounts(approval.accounts);
      const entries = await this.posting.postMany(m, approvals.map((approval) => approval.entry));
      // Deductions one claim after the other: each sees the agency's net compensation including
      // the claims approved before it in this batch (the marginal reading of RULES §7).
      for (const [i, claim] of ordered.entries()) {
        const deduction = await this.margins.deductForClaim({
          agencyCode: claim.agencyCode,
          claimId: claim.id,
          compensation: claim.compensation,
          approvedOn: input.approvedOn,
          policyVersionId: claim.policyVersionId,
        });
        await this.claims.update(claim.id, {
          status: nextStatus(claim.id, claim.status, 'approve'),
          approvedOn: input.approvedOn,
          approvedBy: principal?.tokenId ?? null,
          approvalBatchId: batch.id,
          approvalEntryId: entries[i].id,
          marginDeduction: deduction.deduction,
          compensation: claim.compensation,
          compensationClaimed: claim.compensationClaimed,
          approvalBreakdown: claim.approvalBreakdown,
        });
      }
      return batch.id;
    });
    return this.view(batchId);
  }

  /**
   * The per-bank annual cap of henan-2025 (RULES §11a) on each claim whose loan's version has it,
   * in filing order, each seeing the bank's approvals before it (this batch's included): approved
   * in full within the room, for the room left above it (compensationClaimed keeps the computed
   * figure), and refused with the room shown when none is left — then the whole batch is refused
   * (all or nothing) with every such claim listed. Claims under henan-2021 pass unchanged but
   * use up the bank's room (bank-annual-cap.calculator.ts).
   */
  private async applyAnnualCaps(claims: Claim[], approvedOn: string): Promise<Claim[]> {
    const approvedInBatch = new Map<string, Money>();
    const refused: ErrorDetail[] = [];
    const out: Claim[] = [];
    for (const claim of claims) {
      const policy = this.policies.byId(claim.policyVersionId);
      const before = approvedInBatch.get(claim.bankCode) ?? Money.ZERO;
      let approved = claim;
      if (hasBankAnnualCap(policy)) {
        const room = await this.annualCap.room(claim.bankCode, approvedOn, policy, before);
        const outcome = applyBankAnnualCap(claim.compensation, room, policy);
        if (outcome.refused) {
          refused.push({ code: CLAIM_ERRORS.BANK_ANNUAL_CAP_EXHAUSTED, message: outcome.breakdown[outcome.breakdown.length - 1].text, claimId: claim.id, bankCode: claim.bankCode, year: room.year, cap: room.cap.toString(), approved: room.approved.toString(), room: room.room.toString() });
        }
        approved = Object.assign(Object.create(Object.getPrototypeOf(claim)) as Claim, claim, {
          compensation: outcome.approved,
          compensationClaimed: outcome.cut ? claim.compensation : null,
          approvalBreakdown: outcome.breakdown,
        });
      }
      approvedInBatch.set(claim.bankCode, before.plus(approved.compensation));
      out.push(approved);
    }
    if (refused.length) {
      throw DomainError.rule(CLAIM_ERRORS.BANK_ANNUAL_CAP_EXHAUSTED, `${refused.length} claim(s) cannot be approved: the bank has no room left under its annual cap.`, refused);
    }
    return out;
  }

  /**
   * A batch and its claims. A bank or agency token sees only its own claims of the batch, and
   * the count and total over them; a batch without any of its claims is a 404 like a missing one
   * (issue #15: another bank's claim ids and amounts are not its business).
   */
  async view(id: string, principal?: Principal) {
    if (!isUuid(id)) throw claimErrors.batchNotFound(id);
    const m = this.tx.manager;
    const batch = await m.getRepository(ApprovalBatch).findOne({ where: { id } });
    if (!batch) throw claimErrors.batchNotFound(id);
    const all = await m.getRepository(Claim).find({ where: { approvalBatchId: id }, order: { createdAt: 'ASC', id: 'ASC' } });
    const party = principal?.role === 'bank' || principal?.role === 'agency';
    const claims = party ? all.filter((c) => canReadLoan(principal, c)) : all;
    if (party && !claims.length) throw claimErrors.batchNotFound(id);
    return {
      id: batch.id,
      approvedOn: batch.approvedOn,
      approvedBy: batch.approvedBy,
      claimCount: party ? claims.length : batch.claimCount,
      totalCompensation: (party ? Money.sum(claims.map((c) => c.compensation)) : batch.totalCompensation).toString(),
      claims: claims.map((c) => ({
        id: c.id,
        bankCode: c.bankCode,
        agencyCode: c.agencyCode,
        compensation: c.compensation.toString(),
        compensationClaimed: c.compensationClaimed?.toString() ?? null,
        approvalBreakdown: c.approvalBreakdown,
        marginDeduction: c.marginDeduction?.toString() ?? null,
        status: c.status,
      })),
    };
  }
}

/** Only recommended claims, on or after their review date; every other one is listed. */
function refuseUnapprovable(claims: readonly Claim[], approvedOn: string): void {
  const bad = claims.filter((c) => !canApply(c.status, 'approve') || approvedOn < (c.reviewedOn ?? c.claimDate));
  if (!bad.length) return;
  throw DomainError.rule(
    BATCH_ERRORS.CLAIMS_NOT_APPROVABLE,
    `${bad.length} claim(s) cannot be approved: only recommended claims, on or after their review date.`,
    bad.map((c) =>
      !canApply(c.status, 'approve')
        ? { code: CLAIM_ERRORS.NOT_RECOMMENDED, message: `status is ${c.status}, not recommended`, claimId: c.id, status: c.status }
        : {
            code: CLAIM_ERRORS.APPROVAL_BEFORE_REVIEW,
            message: `recommended on ${c.reviewedOn}, after the approval date ${approvedOn}`,
            claimId: c.id,
            status: c.status,
            reviewedOn: c.reviewedOn,
          },
    ),
  );
}
