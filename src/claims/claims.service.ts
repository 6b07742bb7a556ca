import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Not, Repository } from 'typeorm';
import { AgencyMarginService } from '../agencies/agency-margin.service';
import type { Principal } from '../common/access/principal';
import { addWorkingDays } from '../common/calendar';
import { Clock } from '../common/clock/clock';
import { DomainError, ErrorDetail } from '../common/errors/domain-error';
import { decodeCursor, Page, toPage } from '../common/http/pagination';
import { Money } from '../common/money/money';
import { LedgerPostingService } from '../ledger/ledger-posting.service';
import { LoansService } from '../loans/loans.service';
import { assertBankScope, canReadLoan } from '../common/access/party-scope';
import { PolicyService } from '../programme/policy.service';
import { DEPOSIT_PREFIX, RESERVE_BOOK } from '../reserve/domain/books';
import { approvalPosting, payoutPosting, refundPosting, writeOffPosting } from '../reserve/domain/reserve-postings';
import { balancesByPrefix, ledgerAccount } from '../reserve/ledger-reads';
import { ApprovalBatch, Claim, ClaimPayoutLeg, ClaimRecovery, ClaimStatus } from './claim.entity';
import { canApply, nextStatus } from './domain/claim-lifecycle';
import { claimTrigger } from './domain/claim-trigger.calculator';
import { computeCompensation } from './domain/compensation.calculator';
import { planPayout } from './domain/payout-waterfall.calculator';
import { recoveryRefund } from './domain/recovery-refund.calculator';

export interface FileClaimInput {
  loanId: string;
  claimDate: string;
  outstandingPrincipal: Money;
  interestUnpaidSince: string;
  principalOverdueSince: string | null;
  lawsuitAcceptedOn: string | null;
}

/** Statuses in which the compensation has been granted (counts in loss rates). */
const GRANTED: ClaimStatus[] = ['approved', 'paid', 'receipted', 'written_off'];

function notFound(id: string): DomainError {
  return DomainError.notFound('CLAIM.NOT_FOUND', `No claim with id ${id}.`);
}

function alreadyOpen(reference: string): DomainError {
  return DomainError.conflict('CLAIM.ALREADY_OPEN', `Loan ${reference} already has a claim that is not rejected; a loan is compensated once.`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Loss-compensation claims from filing to write-off (RULES §4, §5, §7; issue #6). Every money
 * movement is a journal entry posted in the same transaction as the state change.
 *
 * Reserve-book postings (recipes in src/reserve/domain/reserve-postings.ts):
 * - approval:  Dr reserve:awaiting-recovery:CLAIM / Cr reserve:payable:BANK   (compensation)
 * - payout:    Dr reserve:payable:BANK / Cr reserve:deposit:X for each leg    (the waterfall)
 * - refund:    Dr reserve:deposit:BANK / Cr reserve:awaiting-recovery:CLAIM   (each refund)
 * - write-off: Dr reserve:written-off / Cr reserve:awaiting-recovery:CLAIM    (compensation − refunds)
 */
@Injectable()
export class ClaimsService {
  private readonly logger = new Logger('Claims');

  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(Claim) private readonly claims: Repository<Claim>,
    private readonly loans: LoansService,
    private readonly policies: PolicyService,
    private readonly posting: LedgerPostingService,
    private readonly margins: AgencyMarginService,
    private readonly clock: Clock,
  ) {}

  // ---- filing and review ----

  async file(input: FileClaimInput, principal?: Principal) {
    if (!UUID.test(input.loanId)) throw DomainError.notFound('LOAN.NOT_FOUND', `No loan with id ${input.loanId}.`);
    const loan = await this.loans.findById(input.loanId);
    assertBankScope(principal, loan.bankCode);
    const policy = this.policies.byId(loan.policyVersionId);
    const problems: ErrorDetail[] = [];
    if (!loan.disbursedOn || !loan.disbursedAmount) {
      problems.push({ code: 'CLAIM.LOAN_NOT_DISBURSED', message: 'The loan has no recorded disbursement.' });
    } else if (input.outstandingPrincipal.gt(loan.disbursedAmount)) {
      problems.push({
        code: 'CLAIM.PRINCIPAL_ABOVE_DISBURSED',
        message: `Outstanding principal ${input.outstandingPrincipal.toString()} is more than the ${loan.disbursedAmount.toString()} disbursed.`,
        field: 'outstandingPrincipal',
      });
    }
    if (!input.outstandingPrincipal.isPositive()) {
      problems.push({ code: 'CLAIM.PRINCIPAL_INVALID', message: 'Outstanding principal must be more than 0.00.', field: 'outstandingPrincipal' });
    }
    if (problems.length) throw DomainError.rule(problems[0].code, problems.map((p) => p.message).join(' '), problems);

    // RULES §4: two calendar months overdue, or a lawsuit accepted.
    const trigger = claimTrigger(
      { principalOverdueSince: input.principalOverdueSince, lawsuitAcceptedOn: input.lawsuitAcceptedOn, claimDate: input.claimDate },
      policy,
    );
    if (!trigger.eligible || !trigger.eligibleFrom) {
      const code = trigger.eligibleFrom ? 'CLAIM.NOT_YET_ELIGIBLE' : 'CLAIM.NO_TRIGGER';
      throw DomainError.rule(
        code,
        trigger.eligibleFrom
          ? `The claim is not yet eligible on ${input.claimDate}; it may be filed from ${trigger.eligibleFrom}.`
          : 'Neither trigger holds: give principalOverdueSince (two calendar months overdue) or lawsuitAcceptedOn.',
        [{ code, message: trigger.ineligibleReason?.message ?? 'not eligible', eligibleFrom: trigger.eligibleFrom }],
      );
    }
    const amounts = computeCompensation(
      {
        principal: input.outstandingPrincipal,
        annualRate: loan.annualRate,
        interestUnpaidSince: input.interestUnpaidSince,
        claimDate: input.claimDate,
        ratio: loan.compensationRatio,
      },
      policy,
    );
    const live = await this.claims.findOne({ where: { loanId: loan.id, status: Not('rejected') } });
    if (live) throw alreadyOpen(loan.reference);
    const reviewDueOn = addWorkingDays(input.claimDate, policy.reviewWorkingDays);
    const breakdown = [
      ...trigger.breakdown,
      { rule: 'RULES §3; B 第九条', text: `Compensation ratio fixed at registration of loan ${loan.reference}: ${loan.compensationRatio.toFixed(2)}.`, value: loan.compensationRatio.toFixed(2) },
      ...amounts.breakdown,
      { rule: 'RULES §4; R 第十三条', text: `Expert review due ${policy.reviewWorkingDays} working days after ${input.claimDate}: ${reviewDueOn}.`, value: reviewDueOn },
    ];
    try {
      const saved = await this.claims.save(
        this.claims.create({
          loanId: loan.id,
          bankCode: loan.bankCode,
          agencyCode: loan.agencyCode,
          status: 'filed',
          claimDate: input.claimDate,
          outstandingPrincipal: input.outstandingPrincipal,
          interestUnpaidSince: input.interestUnpaidSince,
          principalOverdueSince: input.principalOverdueSince,
          lawsuitAcceptedOn: input.lawsuitAcceptedOn,
          eligibleFrom: trigger.eligibleFrom,
          policyVersionId: policy.id,
          ratio: loan.compensationRatio,
          days: amounts.days,
          interest: amounts.interest,
          lossAmount: amounts.lossAmount,
          compensation: amounts.compensation,
          capped: amounts.capped,
          breakdown,
          reviewDueOn,
          refundedTotal: Money.ZERO,
        }),
      );
      return this.view(saved.id);
    } catch (error) {
      if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') {
        throw alreadyOpen(loan.reference);
      }
      throw error;
    }
  }

  private async lockClaim(m: EntityManager, id: string): Promise<Claim> {
    if (!UUID.test(id)) throw notFound(id);
    const claim = await m.getRepository(Claim).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!claim) throw notFound(id);
    return claim;
  }

  /** Starts the expert review (filed → under_review). */
  async startReview(id: string) {
    await this.dataSource.transaction(async (m) => {
      const claim = await this.lockClaim(m, id);
      const status = nextStatus(claim.id, claim.status, 'start_review');
      await m.update(Claim, { id }, { status });
    });
    return this.view(id);
  }

  /** The expert review (RULES §4; R 第十三条): recommend, or reject with a reason. */
  async review(id: string, input: { decision: 'recommend' | 'reject'; reason: string | null; reviewedOn: string | null }) {
    if (input.decision === 'reject' && !input.reason?.trim()) {
      throw DomainError.invalid('CLAIM.REASON_REQUIRED', 'A rejection needs a reason (e.g. the loan broke the programme rules).', [
        { code: 'CLAIM.REASON_REQUIRED', field: 'reason', message: 'required when rejecting' },
      ]);
    }
    await this.dataSource.transaction(async (m) => {
      const claim = await this.lockClaim(m, id);
      const status = nextStatus(claim.id, claim.status, input.decision);
      const reviewedOn = input.reviewedOn ?? this.clock.today();
      if (reviewedOn < claim.claimDate) {
        throw DomainError.invalid('CLAIM.DATES_OUT_OF_ORDER', `The review date ${reviewedOn} is before the claim date ${claim.claimDate}.`);
      }
      await m.update(
        Claim,
        { id },
        {
          status,
          reviewDecision: input.decision,
          reviewReason: input.reason ?? null,
          reviewedOn,
        },
      );
    });
    return this.view(id);
  }

  // ---- approval ----

  /**
   * Approves recommended claims together on one date (RULES §4; R 第十四条). All or nothing: any
   * claim that is not recommended refuses the whole batch, listing each. For each claim, in one
   * transaction: the compensation payable is posted and the agency's margin deduction taken.
   */
  async approveBatch(input: { claimIds: string[]; approvedOn: string }) {
    const ids = [...new Set(input.claimIds)];
    if (ids.length !== input.claimIds.length) throw DomainError.invalid('BATCH.DUPLICATE_CLAIM', 'A claim is listed twice in the batch.');
    for (const id of ids) if (!UUID.test(id)) throw notFound(id);
    const batchId = await this.dataSource.transaction(async (m) => {
      // Locks in id order so concurrent batches cannot deadlock.
      const claims = await m.getRepository(Claim).find({ where: { id: In(ids) }, order: { id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
      const missing = ids.filter((id) => !claims.some((c) => c.id === id));
      if (missing.length) throw DomainError.notFound('CLAIM.NOT_FOUND', `No claim with id ${missing.join(', ')}.`);
      const bad = claims.filter((c) => !canApply(c.status, 'approve') || input.approvedOn < (c.reviewedOn ?? c.claimDate));
      if (bad.length) {
        throw DomainError.rule(
          'BATCH.CLAIMS_NOT_APPROVABLE',
          `${bad.length} claim(s) cannot be approved: only recommended claims, on or after their review date.`,
          bad.map((c) =>
            !canApply(c.status, 'approve')
              ? { code: 'CLAIM.NOT_RECOMMENDED', message: `status is ${c.status}, not recommended`, claimId: c.id, status: c.status }
              : {
                  code: 'CLAIM.APPROVAL_BEFORE_REVIEW',
                  message: `recommended on ${c.reviewedOn}, after the approval date ${input.approvedOn}`,
                  claimId: c.id,
                  status: c.status,
                  reviewedOn: c.reviewedOn,
                },
          ),
        );
      }
      const total = Money.sum(claims.map((c) => c.compensation));
      const batch = await m.getRepository(ApprovalBatch).save(
        m.getRepository(ApprovalBatch).create({ approvedOn: input.approvedOn, claimCount: claims.length, totalCompensation: total }),
      );
      // Claims in filing order, so each agency's deductions follow the order of its claims.
      const ordered = [...claims].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
      // Agencies locked up front in code order, so concurrent batches touching the same agencies
      // queue instead of deadlocking; all approval entries go to the ledger in one postMany (two
      // separate posts into one book inside a transaction could deadlock with a concurrent one).
      const agencyCodes = [...new Set(ordered.map((c) => c.agencyCode))].sort();
      await m.query('SELECT code FROM agencies WHERE code = ANY($1::text[]) ORDER BY code FOR UPDATE', [agencyCodes]);
      const approvals = ordered.map((claim) =>
        approvalPosting({ claimId: claim.id, bankCode: claim.bankCode, compensation: claim.compensation, approvedOn: input.approvedOn, batchId: batch.id }),
      );
      for (const approval of approvals) {
        for (const def of approval.accounts) await this.posting.ensureAccount(m, ledgerAccount(def));
      }
      const entries = await this.posting.postMany(m, approvals.map((approval) => approval.entry));
      // Deductions one claim after the other: each sees the agency's net compensation including
      // the claims approved before it in this batch (the marginal reading of RULES §7).
      for (const [i, claim] of ordered.entries()) {
        const deduction = await this.margins.deductForClaim(m, {
          agencyCode: claim.agencyCode,
          claimId: claim.id,
          compensation: claim.compensation,
          approvedOn: input.approvedOn,
          policyVersionId: claim.policyVersionId,
        });
        await m.update(
          Claim,
          { id: claim.id },
          { status: nextStatus(claim.id, claim.status, 'approve'), approvedOn: input.approvedOn, approvalBatchId: batch.id, approvalEntryId: entries[i].id, marginDeduction: deduction.deduction },
        );
      }
      return batch.id;
    });
    return this.batchView(batchId);
  }

  async batchView(id: string) {
    if (!UUID.test(id)) throw DomainError.notFound('BATCH.NOT_FOUND', `No approval batch with id ${id}.`);
    const batch = await this.dataSource.getRepository(ApprovalBatch).findOne({ where: { id } });
    if (!batch) throw DomainError.notFound('BATCH.NOT_FOUND', `No approval batch with id ${id}.`);
    const claims = await this.claims.find({ where: { approvalBatchId: id }, order: { createdAt: 'ASC', id: 'ASC' } });
    return {
      id: batch.id,
      approvedOn: batch.approvedOn,
      claimCount: batch.claimCount,
      totalCompensation: batch.totalCompensation.toString(),
      claims: claims.map((c) => ({
        id: c.id,
        bankCode: c.bankCode,
        agencyCode: c.agencyCode,
        compensation: c.compensation.toString(),
        marginDeduction: c.marginDeduction?.toString() ?? null,
        status: c.status,
      })),
    };
  }

  // ---- payout and receipt ----

  /**
   * Pays an approved claim from the reserve (RULES §4; R 第十五、十八条): the claiming bank's own
   * account first, the rest from the others by descending balance. The claim row is locked, so a
   * claim is paid once; the deposit accounts' floors make a concurrent payout that would overdraw
   * an account fail, and it is retried on fresh balances.
   */
  async payout(id: string, input: { paidOn: string }) {
    const attempts = 8;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.dataSource.transaction(async (m) => {
          const claim = await this.lockClaim(m, id);
          if (['paid', 'receipted', 'written_off'].includes(claim.status)) {
            throw DomainError.conflict('CLAIM.ALREADY_PAID', `Claim ${id} was paid on ${claim.paidOn}; a claim is paid once.`);
          }
          const status = nextStatus(claim.id, claim.status, 'pay');
          if (input.paidOn < (claim.approvedOn as string)) {
            throw DomainError.invalid('CLAIM.DATES_OUT_OF_ORDER', `The payout date ${input.paidOn} is before the approval on ${claim.approvedOn}.`);
          }
          // Payouts take the reserve deposit rows in id order (the ledger's own lock order), so
          // concurrent payouts queue here instead of racing for the same balances.
          await m.query(
            `SELECT id FROM ledger_accounts WHERE book = $1 AND starts_with(code, $2) ORDER BY id FOR UPDATE`,
            [RESERVE_BOOK, DEPOSIT_PREFIX],
          );
          const balances = await this.depositBalances(m);
          const plan = planPayout(claim.bankCode, claim.compensation, balances);
          const payout = payoutPosting({ claimId: id, bankCode: claim.bankCode, compensation: claim.compensation, paidOn: input.paidOn, legs: plan.legs });
          for (const def of payout.accounts) await this.posting.ensureAccount(m, ledgerAccount(def));
          const entry = await this.posting.post(m, payout.entry);
          await m.getRepository(ClaimPayoutLeg).insert(plan.legs.map((l, i) => ({ claimId: id, position: i + 1, bankCode: l.bankCode, amount: l.amount })));
          await m.update(Claim, { id }, { status, paidOn: input.paidOn, payoutEntryId: entry.id });
        });
        break;
      } catch (error) {
        const retriable =
          (error instanceof DomainError && error.code === 'LEDGER.FLOOR_BREACH') ||
          ['40001', '40P01'].includes((error as { driverError?: { code?: string } }).driverError?.code ?? '');
        if (!retriable || attempt >= attempts) throw error;
        this.logger.debug(`payout of ${id}: balances moved underneath (attempt ${attempt}); retrying`);
      }
    }
    return this.view(id);
  }

  /** Current balances of every bank's reserve deposit account. */
  private async depositBalances(m: EntityManager) {
    const rows = await balancesByPrefix(m, RESERVE_BOOK, DEPOSIT_PREFIX);
    return rows.map((r) => ({ bankCode: r.code.slice(DEPOSIT_PREFIX.length), balance: r.balance }));
  }

  /** The bank acknowledges receipt (回执, R 第十六条). */
  async receipt(id: string, input: { receivedOn: string }, principal?: Principal) {
    await this.dataSource.transaction(async (m) => {
      const claim = await this.lockClaim(m, id);
      assertBankScope(principal, claim.bankCode);
      const status = nextStatus(claim.id, claim.status, 'receipt');
      if (input.receivedOn < (claim.paidOn as string)) {
        throw DomainError.invalid('CLAIM.DATES_OUT_OF_ORDER', `The receipt date ${input.receivedOn} is before the payout on ${claim.paidOn}.`);
      }
      await m.update(Claim, { id }, { status, receiptedOn: input.receivedOn });
    });
    return this.view(id);
  }

  // ---- recoveries and write-off ----

  /**
   * A recovery after compensation (RULES §5; R 第十七条): the refund is the government's share of
   * the net recovery, capped so the refunds together never exceed the compensation paid; due 15
   * working days after the disposal closed.
   */
  async addRecovery(id: string, input: { recoveredOn: string; recovered: Money; agreedCosts: Money }, principal?: Principal) {
    const recoveryId = await this.dataSource.transaction(async (m) => {
      const claim = await this.lockClaim(m, id);
      assertBankScope(principal, claim.bankCode);
      nextStatus(claim.id, claim.status, 'record_recovery'); // a recovery keeps the status; refused unless paid or receipted
      if (input.recoveredOn < (claim.paidOn as string)) {
        throw DomainError.invalid('CLAIM.DATES_OUT_OF_ORDER', `The recovery date ${input.recoveredOn} is before the payout on ${claim.paidOn}.`);
      }
      const rows: { total: string }[] = await m.query(
        'SELECT COALESCE(SUM(refund), 0)::numeric(20,2) AS total FROM claim_recoveries WHERE claim_id = $1',
        [id],
      );
      const policy = this.policies.byId(claim.policyVersionId);
      const result = recoveryRefund({
        recovered: input.recovered,
        agreedCosts: input.agreedCosts,
        compensationPaid: claim.compensation,
        lossAmount: claim.lossAmount,
        refundedSoFar: Money.of(rows[0].total),
      });
      const refundDueOn = addWorkingDays(input.recoveredOn, policy.refundWorkingDays);
      const saved = await m.getRepository(ClaimRecovery).save(
        m.getRepository(ClaimRecovery).create({
          claimId: id,
          recoveredOn: input.recoveredOn,
          recovered: input.recovered,
          agreedCosts: input.agreedCosts,
          refund: result.refund,
          refundDueOn,
          breakdown: [
            ...result.breakdown,
            { rule: 'RULES §5; R 第十七条', text: `Refund due ${policy.refundWorkingDays} working days after ${input.recoveredOn}: ${refundDueOn}.`, value: refundDueOn },
          ],
          refundedOn: null,
          refundEntryId: null,
        }),
      );
      return saved.id;
    });
    return this.recoveryView(id, recoveryId);
  }

  /** The refund has arrived in the claiming bank's reserve account: post it. */
  async markRefunded(id: string, recoveryId: string, input: { refundedOn: string }, principal?: Principal) {
    if (!UUID.test(recoveryId)) throw DomainError.notFound('RECOVERY.NOT_FOUND', `No recovery ${recoveryId} on claim ${id}.`);
    await this.dataSource.transaction(async (m) => {
      const claim = await this.lockClaim(m, id);
      assertBankScope(principal, claim.bankCode);
      const recovery = await m.getRepository(ClaimRecovery).findOne({ where: { id: recoveryId, claimId: id } });
      if (!recovery) throw DomainError.notFound('RECOVERY.NOT_FOUND', `No recovery ${recoveryId} on claim ${id}.`);
      if (recovery.refundedOn) throw DomainError.conflict('RECOVERY.ALREADY_REFUNDED', `The refund of recovery ${recoveryId} was recorded on ${recovery.refundedOn}.`);
      nextStatus(claim.id, claim.status, 'record_refund'); // keeps the status; refused once written off
      if (input.refundedOn < recovery.recoveredOn) {
        throw DomainError.invalid('CLAIM.DATES_OUT_OF_ORDER', `The refund date ${input.refundedOn} is before the recovery on ${recovery.recoveredOn}.`);
      }
      let entryId: string | null = null;
      if (recovery.refund.isPositive()) {
        const refund = refundPosting({ claimId: id, bankCode: claim.bankCode, recoveryId, refund: recovery.refund, refundedOn: input.refundedOn });
        for (const def of refund.accounts) await this.posting.ensureAccount(m, ledgerAccount(def));
        const entry = await this.posting.post(m, refund.entry);
        entryId = entry.id;
      }
      await m.update(ClaimRecovery, { id: recoveryId }, { refundedOn: input.refundedOn, refundEntryId: entryId });
      await m.update(Claim, { id }, { refundedTotal: claim.refundedTotal.plus(recovery.refund) });
    });
    return this.recoveryView(id, recoveryId);
  }

  /**
   * Write-off (RULES §5; S 三(七), R 第十九条): after the bank's write-off and the approver's
   * consent, the compensation net of refunds is written off against the reserve; the claim
   * closes. Refunds still owed must arrive first.
   */
  async writeOff(id: string, input: { writtenOffOn: string }, principal?: Principal) {
    await this.dataSource.transaction(async (m) => {
      const claim = await this.lockClaim(m, id);
      assertBankScope(principal, claim.bankCode);
      const status = nextStatus(claim.id, claim.status, 'write_off');
      const open: { n: string }[] = await m.query(
        'SELECT count(*) AS n FROM claim_recoveries WHERE claim_id = $1 AND refunded_on IS NULL AND refund > 0',
        [id],
      );
      if (Number(open[0].n) > 0) {
        throw DomainError.rule('CLAIM.REFUND_PENDING', `Claim ${id} has ${open[0].n} refund(s) not yet received; record them before the write-off.`);
      }
      if (input.writtenOffOn < (claim.paidOn as string)) {
        throw DomainError.invalid('CLAIM.DATES_OUT_OF_ORDER', `The write-off date ${input.writtenOffOn} is before the payout on ${claim.paidOn}.`);
      }
      const amount = claim.compensation.minus(claim.refundedTotal);
      let entryId: string | null = null;
      if (amount.isPositive()) {
        const writeOff = writeOffPosting({ claimId: id, amount, writtenOffOn: input.writtenOffOn });
        for (const def of writeOff.accounts) await this.posting.ensureAccount(m, ledgerAccount(def));
        const entry = await this.posting.post(m, writeOff.entry);
        entryId = entry.id;
      }
      await m.update(Claim, { id }, { status, writtenOffOn: input.writtenOffOn, writtenOffAmount: amount, writeOffEntryId: entryId });
    });
    return this.view(id);
  }

  // ---- reads ----

  async get(id: string, principal?: Principal) {
    if (!UUID.test(id)) throw notFound(id);
    const claim = await this.claims.findOne({ where: { id } });
    if (!claim || !canReadLoan(principal, claim)) throw notFound(id);
    return this.view(id);
  }

  private async recoveryView(claimId: string, recoveryId: string) {
    const r = await this.dataSource.getRepository(ClaimRecovery).findOneOrFail({ where: { id: recoveryId, claimId } });
    return recoveryOut(r);
  }

  async view(id: string) {
    const claim = await this.claims.findOne({ where: { id } });
    if (!claim) throw notFound(id);
    const legs = await this.dataSource.getRepository(ClaimPayoutLeg).find({ where: { claimId: id }, order: { position: 'ASC' } });
    const recoveries = await this.dataSource.getRepository(ClaimRecovery).find({ where: { claimId: id }, order: { createdAt: 'ASC', id: 'ASC' } });
    return {
      ...claimOut(claim, this.clock.today()),
      legs: legs.map((l) => ({ bankCode: l.bankCode, amount: l.amount.toString() })),
      recoveries: recoveries.map(recoveryOut),
      breakdown: claim.breakdown,
    };
  }

  async list(
    filter: { status?: ClaimStatus; bankCode?: string; agencyCode?: string; reviewOverdue?: boolean },
    limit: number,
    cursor: string | undefined,
    principal?: Principal,
  ): Promise<Page<ReturnType<typeof claimOut>>> {
    const after = decodeCursor(cursor, (v): v is [string, string] => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string'));
    const qb = this.claims.createQueryBuilder('c');
    if (principal?.role === 'bank') qb.andWhere('c.bank_code = :pb', { pb: principal.partyCode });
    if (principal?.role === 'agency') qb.andWhere('c.agency_code = :pa', { pa: principal.partyCode });
    if (filter.status) qb.andWhere('c.status = :status', { status: filter.status });
    if (filter.bankCode) qb.andWhere('c.bank_code = :bank', { bank: filter.bankCode });
    if (filter.agencyCode) qb.andWhere('c.agency_code = :agency', { agency: filter.agencyCode });
    if (filter.reviewOverdue) {
      qb.andWhere(`c.status IN ('filed','under_review') AND c.review_due_on < :today`, { today: this.clock.today() });
    }
    // Filing order. The cursor carries the timestamp as JS writes it (milliseconds), so order and
    // compare at millisecond precision: PostgreSQL keeps microseconds, which would repeat a row.
    const at = `date_trunc('milliseconds', c.created_at)`;
    if (after) qb.andWhere(`(${at}, c.id) > (:at::timestamptz, :aid::uuid)`, { at: after[0], aid: after[1] });
    const rows = await qb.orderBy(at, 'ASC').addOrderBy('c.id', 'ASC').limit(limit + 1).getMany();
    const today = this.clock.today();
    return toPage(rows, limit, (c) => claimOut(c, today), (c) => [c.createdAt.toISOString(), c.id]);
  }

  /** Every claim of a bank with its figures, status and dates (the bank's claim statement). */
  async statement(bankCode: string, principal?: Principal) {
    assertBankScope(principal, bankCode);
    const rows = await this.claims.find({ where: { bankCode }, order: { claimDate: 'ASC', createdAt: 'ASC', id: 'ASC' } });
    const today = this.clock.today();
    const items = rows.map((c) => claimOut(c, today));
    const granted = rows.filter((c) => GRANTED.includes(c.status));
    return {
      bankCode,
      asOf: today,
      items,
      totals: {
        claims: rows.length,
        compensationGranted: Money.sum(granted.map((c) => c.compensation)).toString(),
        refunded: Money.sum(rows.map((c) => c.refundedTotal)).toString(),
        writtenOff: Money.sum(rows.map((c) => c.writtenOffAmount ?? Money.ZERO)).toString(),
      },
    };
  }
}

export function claimOut(c: Claim, today: string) {
  return {
    id: c.id,
    loanId: c.loanId,
    bankCode: c.bankCode,
    agencyCode: c.agencyCode,
    status: c.status,
    claimDate: c.claimDate,
    outstandingPrincipal: c.outstandingPrincipal.toString(),
    interestUnpaidSince: c.interestUnpaidSince,
    principalOverdueSince: c.principalOverdueSince,
    lawsuitAcceptedOn: c.lawsuitAcceptedOn,
    eligibleFrom: c.eligibleFrom,
    policyVersionId: c.policyVersionId,
    ratio: c.ratio.toFixed(2),
    days: c.days,
    interest: c.interest.toString(),
    lossAmount: c.lossAmount.toString(),
    compensation: c.compensation.toString(),
    capped: c.capped,
    reviewDueOn: c.reviewDueOn,
    reviewOverdue: (c.status === 'filed' || c.status === 'under_review') && today > c.reviewDueOn,
    reviewedOn: c.reviewedOn,
    reviewDecision: c.reviewDecision,
    reviewReason: c.reviewReason,
    approvalBatchId: c.approvalBatchId,
    approvedOn: c.approvedOn,
    marginDeduction: c.marginDeduction?.toString() ?? null,
    paidOn: c.paidOn,
    receiptedOn: c.receiptedOn,
    refundedTotal: c.refundedTotal.toString(),
    writtenOffOn: c.writtenOffOn,
    writtenOffAmount: c.writtenOffAmount?.toString() ?? null,
    entries: { approval: c.approvalEntryId, payout: c.payoutEntryId, writeOff: c.writeOffEntryId },
  };
}

function recoveryOut(r: ClaimRecovery) {
  return {
    id: r.id,
    claimId: r.claimId,
    recoveredOn: r.recoveredOn,
    recovered: r.recovered.toString(),
    agreedCosts: r.agreedCosts.toString(),
    refund: r.refund.toString(),
    refundDueOn: r.refundDueOn,
    refundedOn: r.refundedOn,
    refundEntryId: r.refundEntryId,
    breakdown: r.breakdown,
  };
}
