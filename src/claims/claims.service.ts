import { Injectable } from '@nestjs/common';
import { In, Not, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import { assertBankScope, canReadLoan } from '../common/access/party-scope';
import type { Principal } from '../common/access/principal';
import { addWorkingDays } from '../common/calendar';
import { assertEventDates, eventDateProblems } from '../common/calendar/event-dates';
import { stampVersion } from '../common/breakdown';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError, ErrorDetail } from '../common/errors/domain-error';
import { decodeCursor, Page, toPage } from '../common/http/pagination';
import { isUuid } from '../common/ids';
import { Money } from '../common/money/money';
import { loanErrors } from '../loans/loans.errors';
import { LoansService } from '../loans/loans.service';
import { PolicyService } from '../programme/policy.service';
import { ClaimNamesService } from './claim-names.service';
import { Claim, ClaimPayoutLeg, ClaimRecovery, ClaimStatus } from './claim.entity';
import { claimOut, recoveryOut } from './claim-views';
import { CLAIM_STATUSES, GRANTED_STATUSES, nextStatus } from './domain/claim-lifecycle';
import { claimTrigger } from './domain/claim-trigger.calculator';
import { CLAIM_ERRORS, claimErrors } from './domain/claims.errors';
import { computeCompensation } from './domain/compensation.calculator';

export interface FileClaimInput {
  loanId: string;
  claimDate: string;
  outstandingPrincipal: Money;
  interestUnpaidSince: string;
  principalOverdueSince: string | null;
  lawsuitAcceptedOn: string | null;
}

/**
 * The dates of a claim (RULES §4 "Decision (dates, 2026-12)"): the filing date (the claim date)
 * and the trigger dates have happened; the claim, the unpaid interest and the overdue principal
 * are on or after the loan's disbursement. Every problem names its dates.
 * Example: disbursed 2025-03-01, principal overdue since 2025-02-10 → DATE.BEFORE_PREVIOUS_STEP
 * (principalOverdueSince 2025-02-10 is before disbursedOn 2025-03-01).
 */
function claimDateProblems(input: FileClaimInput, disbursedOn: string | null, today: string): ErrorDetail[] {
  const disbursed = { field: 'disbursedOn', date: disbursedOn };
  return eventDateProblems(
    today,
    [
      { field: 'claimDate', date: input.claimDate },
      { field: 'interestUnpaidSince', date: input.interestUnpaidSince },
      { field: 'principalOverdueSince', date: input.principalOverdueSince },
      { field: 'lawsuitAcceptedOn', date: input.lawsuitAcceptedOn },
    ],
    [
      { field: 'claimDate', date: input.claimDate, notBefore: disbursed },
      { field: 'interestUnpaidSince', date: input.interestUnpaidSince, notBefore: disbursed },
      { field: 'principalOverdueSince', date: input.principalOverdueSince, notBefore: disbursed },
    ],
  );
}

/**
 * Loss-compensation claims (RULES §4, §5; issue #6): filing, the expert review and the reads. The
 * money steps live beside it — ApprovalBatchesService (approval and the agency's margin
 * deduction), ClaimSettlementService (payout, receipt, recoveries, refunds, write-off) — and post
 * their entries through the ledger in the same transaction as the claim's change. The lifecycle
 * (which step is allowed from which status) is the table in domain/claim-lifecycle.ts.
 */
@Injectable()
export class ClaimsService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly loans: LoansService,
    private readonly policies: PolicyService,
    private readonly clock: Clock,
    private readonly names: ClaimNamesService,
  ) {}

  /** Claims, in the open transaction when there is one. */
  private get claims(): Repository<Claim> {
    return this.tx.manager.getRepository(Claim);
  }

  // ---- filing and review ----

  async file(input: FileClaimInput, principal?: Principal) {
    if (!isUuid(input.loanId)) throw loanErrors.notFound(input.loanId);
    const loan = await this.loans.findById(input.loanId);
    assertBankScope(principal, loan.bankCode);
    await this.policies.ensureFresh();
    // The loan's own version, fixed at registration: a loan registered before 2025-06-01 keeps
    // henan-2021 in a claim filed later (RULES §11a).
    const policy = this.policies.byId(loan.policyVersionId);
    const problems = [
      ...this.principalProblems(input.outstandingPrincipal, loan.disbursedOn ? loan.disbursedAmount : null),
      ...claimDateProblems(input, loan.disbursedOn, this.clock.today()),
    ];
    if (problems.length) throw DomainError.rule(problems.length === 1 ? problems[0].code : CLAIM_ERRORS.NOT_FILEABLE, problems.map((p) => p.message).join(' '), problems);

    // RULES §4: two calendar months overdue, or a lawsuit accepted.
    const trigger = claimTrigger(
      { principalOverdueSince: input.principalOverdueSince, lawsuitAcceptedOn: input.lawsuitAcceptedOn, claimDate: input.claimDate },
      policy,
    );
    if (!trigger.eligible || !trigger.eligibleFrom) {
      const code = trigger.eligibleFrom ? CLAIM_ERRORS.NOT_YET_ELIGIBLE : CLAIM_ERRORS.NO_TRIGGER;
      throw DomainError.rule(
        code,
        trigger.eligibleFrom
          ? `The claim is not yet eligible on ${input.claimDate}; it may be filed from ${trigger.eligibleFrom}.`
          : 'Neither trigger holds: give principalOverdueSince (two calendar months overdue) or lawsuitAcceptedOn.',
        [{ code, message: trigger.ineligibleReason?.message ?? 'not eligible', eligibleFrom: trigger.eligibleFrom }],
      );
    }
    const amounts = computeCompensation(
      { principal: input.outstandingPrincipal, annualRate: loan.annualRate, interestUnpaidSince: input.interestUnpaidSince, claimDate: input.claimDate, ratio: loan.compensationRatio },
      policy,
    );
    const live = await this.claims.findOne({ where: { loanId: loan.id, status: Not('rejected') } });
    if (live) throw claimErrors.alreadyOpen(loan.reference);
    const reviewDueOn = addWorkingDays(input.claimDate, policy.reviewWorkingDays);
    const ratio = loan.compensationRatio.toFixed(2);
    const breakdown = stampVersion(
      [
        { rule: 'RULES §11a', text: `Policy version ${policy.id}, fixed at the registration of loan ${loan.reference} on ${loan.registeredOn}.`, value: policy.id },
        ...trigger.breakdown,
        { rule: 'RULES §3; B 第九条', text: `Compensation ratio fixed at registration of loan ${loan.reference}: ${ratio}.`, value: ratio },
        ...amounts.breakdown,
        { rule: 'RULES §4; R 第十三条', text: `Expert review due ${policy.reviewWorkingDays} working days after ${input.claimDate}: ${reviewDueOn}.`, value: reviewDueOn },
      ],
      policy.id,
    );
    try {
      const saved = await this.claims.save(
        this.claims.create({
          ...input,
          loanId: loan.id,
          bankCode: loan.bankCode,
          agencyCode: loan.agencyCode,
          status: 'filed',
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
      // The partial unique index on live claims per loan: a concurrent filing won.
      if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') throw claimErrors.alreadyOpen(loan.reference);
      throw error;
    }
  }

  /** Outstanding principal: positive, and not above what was disbursed (RULES §4). */
  private principalProblems(outstanding: Money, disbursed: Money | null): ErrorDetail[] {
    const problems: ErrorDetail[] = [];
    if (!disbursed) {
      problems.push({ code: CLAIM_ERRORS.LOAN_NOT_DISBURSED, message: 'The loan has no recorded disbursement.' });
    } else if (outstanding.gt(disbursed)) {
      problems.push({
        code: CLAIM_ERRORS.PRINCIPAL_ABOVE_DISBURSED,
        message: `Outstanding principal ${outstanding.toString()} is more than the ${disbursed.toString()} disbursed.`,
        field: 'outstandingPrincipal',
      });
    }
    if (!outstanding.isPositive()) {
      problems.push({ code: CLAIM_ERRORS.PRINCIPAL_INVALID, message: 'Outstanding principal must be more than 0.00.', field: 'outstandingPrincipal' });
    }
    return problems;
  }

  /** The claim's row, locked until the open transaction ends (one writer per claim); 404 when unknown. */
  async lockClaim(id: string): Promise<Claim> {
    if (!isUuid(id)) throw claimErrors.notFound(id);
    const claim = await this.claims.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!claim) throw claimErrors.notFound(id);
    return claim;
  }

  /** Claims by id, locked in id order (so concurrent batches cannot deadlock); missing ids → 404. */
  async lockClaims(ids: readonly string[]): Promise<Claim[]> {
    for (const id of ids) if (!isUuid(id)) throw claimErrors.notFound(id);
    const claims = await this.claims.find({ where: { id: In([...ids]) }, order: { id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
    const missing = ids.filter((id) => !claims.some((c) => c.id === id));
    if (missing.length) throw DomainError.notFound(CLAIM_ERRORS.NOT_FOUND, `No claim with id ${missing.join(', ')}.`);
    return claims;
  }

  /** Writes a claim's new state (in the open transaction). */
  async update(id: string, changes: Partial<Claim>): Promise<void> {
    await this.tx.manager.update(Claim, { id }, changes);
  }

  /** Starts the expert review (filed → under_review). */
  async startReview(id: string) {
    await this.tx.run(async () => {
      const claim = await this.lockClaim(id);
      await this.update(id, { status: nextStatus(claim.id, claim.status, 'start_review') });
    });
    return this.view(id);
  }

  /** The expert review (RULES §4; R 第十三条): recommend, or reject with a reason. */
  async review(id: string, input: { decision: 'recommend' | 'reject'; reason: string | null; reviewedOn: string | null }, principal?: Principal) {
    if (input.decision === 'reject' && !input.reason?.trim()) {
      throw DomainError.invalid(CLAIM_ERRORS.REASON_REQUIRED, 'A rejection needs a reason (e.g. the loan broke the programme rules).', [
        { code: CLAIM_ERRORS.REASON_REQUIRED, field: 'reason', message: 'required when rejecting' },
      ]);
    }
    await this.tx.run(async () => {
      const claim = await this.lockClaim(id);
      const status = nextStatus(claim.id, claim.status, input.decision);
      const reviewedOn = input.reviewedOn ?? this.clock.today();
      assertEventDates(this.clock.today(), [{ field: 'reviewedOn', date: reviewedOn }], [{ field: 'reviewedOn', date: reviewedOn, notBefore: { field: 'claimDate', date: claim.claimDate } }]);
      await this.update(id, { status, reviewDecision: input.decision, reviewReason: input.reason ?? null, reviewedOn, reviewedBy: principal?.tokenId ?? null });
    });
    return this.view(id);
  }

  // ---- reads ----

  async get(id: string, principal?: Principal) {
    if (!isUuid(id)) throw claimErrors.notFound(id);
    const claim = await this.claims.findOne({ where: { id } });
    if (!claim || !canReadLoan(principal, claim)) throw claimErrors.notFound(id);
    return this.view(id);
  }

  async recoveryView(claimId: string, recoveryId: string) {
    const r = await this.tx.manager.getRepository(ClaimRecovery).findOneOrFail({ where: { id: recoveryId, claimId } });
    return recoveryOut(r);
  }

  async view(id: string) {
    const m = this.tx.manager;
    const claim = await m.getRepository(Claim).findOne({ where: { id } });
    if (!claim) throw claimErrors.notFound(id);
    const legs = await m.getRepository(ClaimPayoutLeg).find({ where: { claimId: id }, order: { position: 'ASC' } });
    const recoveries = await m.getRepository(ClaimRecovery).find({ where: { claimId: id }, order: { createdAt: 'ASC', id: 'ASC' } });
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

  /**
   * The claims pipeline (issue 17, the console): count and compensation per status, the reviews
   * past their due day (10 working days, R 第十三条) and the refunds past theirs (15 working
   * days, R 第十七条), each with its claim. A bank token sees its own claims, an agency token the
   * claims on its loans. Set-based: two grouped queries and two short lists.
   */
  async pipeline(principal?: Principal) {
    const today = this.clock.today();
    const scoped = <T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, alias: string) => {
      if (principal?.role === 'bank') qb.andWhere(`${alias}.bank_code = :pb`, { pb: principal.partyCode });
      if (principal?.role === 'agency') qb.andWhere(`${alias}.agency_code = :pa`, { pa: principal.partyCode });
      return qb;
    };
    const grouped = (await scoped(this.claims.createQueryBuilder('c'), 'c')
      .select('c.status', 'status')
      .addSelect('COUNT(*)::int', 'count')
      .addSelect('COALESCE(SUM(c.compensation), 0)::text', 'compensation')
      .groupBy('c.status')
      .getRawMany()) as { status: string; count: number; compensation: string }[];
    // andWhere: `where` would replace the party scope added first.
    const reviews = await scoped(this.claims.createQueryBuilder('c'), 'c')
      .andWhere('c.status IN (:...open) AND c.review_due_on < :today', { open: ['filed', 'under_review'], today })
      .orderBy('c.review_due_on', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .getMany();
    const refunds = (await scoped(this.tx.manager.getRepository(ClaimRecovery).createQueryBuilder('r').innerJoin(Claim, 'c', 'c.id = r.claim_id'), 'c')
      .andWhere('r.refunded_on IS NULL AND r.refund > 0 AND r.refund_due_on < :today', { today })
      .select(['r.id AS "recoveryId"', 'r.claim_id AS "claimId"', 'c.bank_code AS "bankCode"', 'r.refund::text AS refund', 'r.refund_due_on::text AS "refundDueOn"'])
      .orderBy('r.refund_due_on', 'ASC')
      .getRawMany()) as { recoveryId: string; claimId: string; bankCode: string; refund: string; refundDueOn: string }[];
    const byStatus = new Map(grouped.map((g) => [g.status, g]));
    return {
      asOf: today,
      statuses: CLAIM_STATUSES.map((status) => ({ status, count: byStatus.get(status)?.count ?? 0, compensation: Money.of(byStatus.get(status)?.compensation ?? '0').toString() })),
      reviewsOverdue: reviews.map((c) => ({ claimId: c.id, bankCode: c.bankCode, status: c.status, claimDate: c.claimDate, reviewDueOn: c.reviewDueOn, compensation: c.compensation.toString() })),
      refundsOverdue: refunds.map((r) => ({ ...r, refund: Money.of(r.refund).toString() })),
    };
  }

  /** Every claim of a bank with its figures, status and dates (the bank's claim statement). */
  async statement(bankCode: string, principal?: Principal) {
    assertBankScope(principal, bankCode);
    const rows = await this.claims.find({ where: { bankCode }, order: { claimDate: 'ASC', createdAt: 'ASC', id: 'ASC' } });
    const today = this.clock.today();
    // Beside the ids: the loan's reference and the borrower's name (issue 17), so the statement reads without look-ups.
    const names = await this.names.of(rows);
    const items = rows.map((c) => ({ ...claimOut(c, today), loanReference: names.get(c.id)?.loanReference ?? null, borrowerName: names.get(c.id)?.borrowerName ?? null }));
    const granted = rows.filter((c) => GRANTED_STATUSES.includes(c.status));
    return {
      bankCode,
      bankName: (await this.names.bankName(bankCode)) ?? null,
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

  /**
   * Refunds recorded and not yet received (RULES §5; R 第十七条): what the reserve expects from
   * the banks, for the payment instructions of the reconciliation module (docs/reconciliation.md).
   */
  async refundsDue(): Promise<{ recoveryId: string; claimId: string; bankCode: string; refund: Money; refundDueOn: string }[]> {
    const rows = (await this.tx.manager.query(
      `SELECT r.id, r.claim_id, c.bank_code, r.refund::text AS refund, r.refund_due_on
         FROM claim_recoveries r JOIN claims c ON c.id = r.claim_id
        WHERE r.refunded_on IS NULL AND r.refund > 0 ORDER BY r.refund_due_on, r.id`,
    )) as { id: string; claim_id: string; bank_code: string; refund: string; refund_due_on: string }[];
    return rows.map((r) => ({ recoveryId: r.id, claimId: r.claim_id, bankCode: r.bank_code, refund: Money.of(r.refund), refundDueOn: r.refund_due_on }));
  }
}
