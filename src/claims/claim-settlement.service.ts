import { Injectable, Logger } from '@nestjs/common';
import { assertBankScope } from '../common/access/party-scope';
import type { Principal } from '../common/access/principal';
import { addWorkingDays } from '../common/calendar';
import { TransactionScope } from '../common/database/transaction-scope';
import { Clock } from '../common/clock/clock';
import { eventDateProblems, type DatedField } from '../common/calendar/event-dates';
import { EVENT_DATE_ERRORS } from '../common/calendar/event-dates.errors';
import { DomainError } from '../common/errors/domain-error';
import { isUuid } from '../common/ids';
import { Money } from '../common/money/money';
import type { PostingRecipe } from '../ledger/domain/entry-draft';
import { LedgerAccountsService } from '../ledger/ledger-accounts.service';
import { LedgerPostingService } from '../ledger/ledger-posting.service';
import { PolicyService } from '../programme/policy.service';
import { DEPOSIT_PREFIX, RESERVE_BOOK, depositBalancesByBank } from '../reserve/domain/books';
import { ReserveAccountsService } from '../reserve/reserve-accounts.service';
import { payoutPosting, refundPosting, writeOffPosting } from '../reserve/domain/reserve-postings';
import { ClaimPayoutLeg, ClaimRecovery } from './claim.entity';
import { ClaimsService } from './claims.service';
import { nextStatus } from './domain/claim-lifecycle';
import { CLAIM_ERRORS, RECOVERY_ERRORS, claimErrors } from './domain/claims.errors';
import { planPayout } from './domain/payout-waterfall.calculator';
import { recoveryRefund } from './domain/recovery-refund.calculator';

/**
 * A lifecycle step's date (RULES §4, dates 2026-12): not after today, not before the step it
 * follows; 422 naming both dates (CLAIM.DATES_OUT_OF_ORDER for the order, DATE.IN_FUTURE).
 */
function assertStepDate(today: string, step: DatedField, previous: DatedField): void {
  const problems = eventDateProblems(today, [step], [{ ...step, notBefore: previous }]).map((p) =>
    p.code === EVENT_DATE_ERRORS.BEFORE_PREVIOUS_STEP ? { ...p, code: CLAIM_ERRORS.DATES_OUT_OF_ORDER } : p,
  );
  if (!problems.length) return;
  throw DomainError.rule(problems.length === 1 ? problems[0].code : EVENT_DATE_ERRORS.NOT_POSSIBLE, problems.map((p) => p.message).join('; '), problems);
}

/** How often a payout is run again when the reserve balances moved underneath it. */
const PAYOUT_ATTEMPTS = 8;

/**
 * The money after approval (RULES §4, §5; R 第十五–十九条): the payout from the reserve, the
 * bank's receipt, recoveries and their refunds, and the write-off. Each step locks the claim,
 * checks the lifecycle table, and posts its entry (src/reserve/domain/reserve-postings.ts) in the
 * same transaction as the claim's change:
 * - payout:    Dr reserve:payable:BANK / Cr reserve:deposit:X for each leg    (the waterfall)
 * - refund:    Dr reserve:deposit:BANK / Cr reserve:awaiting-recovery:CLAIM   (each refund)
 * - write-off: Dr reserve:written-off / Cr reserve:awaiting-recovery:CLAIM    (compensation − refunds)
 */
@Injectable()
export class ClaimSettlementService {
  private readonly logger = new Logger('Claims');

  constructor(
    private readonly tx: TransactionScope,
    private readonly claims: ClaimsService,
    private readonly posting: LedgerPostingService,
    private readonly ledgerAccounts: LedgerAccountsService,
    private readonly policies: PolicyService,
    private readonly reserveAccounts: ReserveAccountsService,
    private readonly clock: Clock,
  ) {}

  /**
   * Pays an approved claim from the reserve (R 第十五、十八条): the claiming bank's own account
   * first, the rest from the others by descending balance. The claim row is locked, so a claim is
   * paid once; the deposit rows are locked in the ledger's order before their balances are read,
   * and should a floor still refuse (balances moved), the whole payout runs again on fresh ones.
   */
  async payout(id: string, input: { paidOn: string }, principal?: Principal) {
    await this.posting.retryOnConflict(() => this.tx.run(() => this.payOnce(id, input.paidOn, principal?.tokenId ?? null)), {
      attempts: PAYOUT_ATTEMPTS,
      onRetry: (attempt) => this.logger.debug(`payout of ${id}: balances moved underneath (attempt ${attempt}); retrying`),
    });
    return this.claims.view(id);
  }

  private async payOnce(id: string, paidOn: string, paidBy: string | null): Promise<void> {
    const claim = await this.claims.lockClaim(id);
    if (claim.paidOn) {
      throw DomainError.conflict(CLAIM_ERRORS.ALREADY_PAID, `Claim ${id} was paid on ${claim.paidOn}; a claim is paid once.`);
    }
    const status = nextStatus(claim.id, claim.status, 'pay');
    assertStepDate(this.clock.today(), { field: 'paidOn', date: paidOn }, { field: 'approvedOn', date: claim.approvedOn });
    await this.ledgerAccounts.lockByPrefix(RESERVE_BOOK, DEPOSIT_PREFIX);
    // Per bank, its accounts together (a moved account holds 0.00); each leg is drawn from the
    // bank's current account (docs/reserve-accounts.md).
    const balances = depositBalancesByBank(await this.ledgerAccounts.balancesByPrefix(RESERVE_BOOK, DEPOSIT_PREFIX));
    const plan = planPayout(claim.bankCode, claim.compensation, balances);
    const ordinals = await this.reserveAccounts.currentOrdinals(plan.legs.map((l) => l.bankCode));
    const legs = plan.legs.map((l) => ({ ...l, depositOrdinal: ordinals.get(l.bankCode) }));
    const entry = await this.post(payoutPosting({ claimId: id, bankCode: claim.bankCode, compensation: claim.compensation, paidOn, legs }));
    await this.tx.manager.getRepository(ClaimPayoutLeg).insert(plan.legs.map((l, i) => ({ claimId: id, position: i + 1, bankCode: l.bankCode, amount: l.amount })));
    await this.claims.update(id, { status, paidOn, payoutEntryId: entry.id, paidBy });
  }

  /** The bank acknowledges receipt (回执, R 第十六条). */
  async receipt(id: string, input: { receivedOn: string }, principal?: Principal) {
    await this.tx.run(async () => {
      const claim = await this.claims.lockClaim(id);
      assertBankScope(principal, claim.bankCode);
      const status = nextStatus(claim.id, claim.status, 'receipt');
      assertStepDate(this.clock.today(), { field: 'receivedOn', date: input.receivedOn }, { field: 'paidOn', date: claim.paidOn });
      await this.claims.update(id, { status, receiptedOn: input.receivedOn });
    });
    return this.claims.view(id);
  }

  /**
   * A recovery after compensation (RULES §5; R 第十七条): the refund is the government's share of
   * the net recovery, capped so the refunds together never exceed the compensation paid; due 15
   * working days after the disposal closed.
   */
  async addRecovery(id: string, input: { recoveredOn: string; recovered: Money; agreedCosts: Money }, principal?: Principal) {
    const recoveryId = await this.tx.run(async (m) => {
      const claim = await this.claims.lockClaim(id);
      assertBankScope(principal, claim.bankCode);
      nextStatus(claim.id, claim.status, 'record_recovery'); // a recovery keeps the status; refused unless paid or receipted
      assertStepDate(this.clock.today(), { field: 'recoveredOn', date: input.recoveredOn }, { field: 'paidOn', date: claim.paidOn });
      const recoveries = m.getRepository(ClaimRecovery);
      // RULES §5 (2026-12): refunds are cumulative, so the earlier recoveries' positive nets count.
      const sums = await recoveries
        .createQueryBuilder('r')
        .select('COALESCE(SUM(r.refund), 0)::numeric(20,2)::text', 'total')
        .addSelect('COALESCE(SUM(GREATEST(r.recovered - r.agreed_costs, 0)), 0)::numeric(20,2)::text', 'net')
        .where('r.claim_id = :id', { id })
        .getRawOne<{ total: string; net: string }>();
      const policy = this.policies.byId(claim.policyVersionId);
      const result = recoveryRefund({
        recovered: input.recovered,
        agreedCosts: input.agreedCosts,
        compensationPaid: claim.compensation,
        lossAmount: claim.lossAmount,
        refundedSoFar: Money.of(sums?.total ?? '0'),
        netRecoveredSoFar: Money.of(sums?.net ?? '0'),
      });
      const refundDueOn = addWorkingDays(input.recoveredOn, policy.refundWorkingDays);
      const dueStep = { rule: 'RULES §5; R 第十七条', text: `Refund due ${policy.refundWorkingDays} working days after ${input.recoveredOn}: ${refundDueOn}.`, value: refundDueOn };
      const saved = await recoveries.save(
        recoveries.create({ claimId: id, ...input, refund: result.refund, refundDueOn, breakdown: [...result.breakdown, dueStep], refundedOn: null, refundEntryId: null }),
      );
      return saved.id;
    });
    return this.claims.recoveryView(id, recoveryId);
  }

  /** The refund has arrived in the claiming bank's reserve account: post it. */
  async markRefunded(id: string, recoveryId: string, input: { refundedOn: string }, principal?: Principal) {
    if (!isUuid(recoveryId)) throw claimErrors.recoveryNotFound(id, recoveryId);
    await this.tx.run(async (m) => {
      const claim = await this.claims.lockClaim(id);
      assertBankScope(principal, claim.bankCode);
      const recovery = await m.getRepository(ClaimRecovery).findOne({ where: { id: recoveryId, claimId: id } });
      if (!recovery) throw claimErrors.recoveryNotFound(id, recoveryId);
      if (recovery.refundedOn) throw DomainError.conflict(RECOVERY_ERRORS.ALREADY_REFUNDED, `The refund of recovery ${recoveryId} was recorded on ${recovery.refundedOn}.`);
      nextStatus(claim.id, claim.status, 'record_refund'); // keeps the status; refused once written off
      assertStepDate(this.clock.today(), { field: 'refundedOn', date: input.refundedOn }, { field: 'recoveredOn', date: recovery.recoveredOn });
      let entryId: string | null = null;
      if (recovery.refund.isPositive()) {
        const depositOrdinal = (await this.reserveAccounts.currentOrdinals([claim.bankCode])).get(claim.bankCode);
        const refund = refundPosting({ claimId: id, bankCode: claim.bankCode, recoveryId, refund: recovery.refund, refundedOn: input.refundedOn, depositOrdinal });
        entryId = (await this.post(refund)).id;
      }
      await m.update(ClaimRecovery, { id: recoveryId }, { refundedOn: input.refundedOn, refundEntryId: entryId });
      await this.claims.update(id, { refundedTotal: claim.refundedTotal.plus(recovery.refund) });
    });
    return this.claims.recoveryView(id, recoveryId);
  }

  /**
   * Write-off (RULES §5; S 三(七), R 第十九条): after the bank's write-off and the approver's
   * consent, the compensation net of refunds is written off against the reserve; the claim
   * closes. Refunds still owed must arrive first.
   */
  async writeOff(id: string, input: { writtenOffOn: string }, principal?: Principal) {
    await this.tx.run(async (m) => {
      const claim = await this.claims.lockClaim(id);
      assertBankScope(principal, claim.bankCode);
      const status = nextStatus(claim.id, claim.status, 'write_off');
      const open = await m
        .getRepository(ClaimRecovery)
        .createQueryBuilder('r')
        .where('r.claim_id = :id AND r.refunded_on IS NULL AND r.refund > 0', { id })
        .getCount();
      if (open > 0) {
        throw DomainError.rule(CLAIM_ERRORS.REFUND_PENDING, `Claim ${id} has ${open} refund(s) not yet received; record them before the write-off.`);
      }
      assertStepDate(this.clock.today(), { field: 'writtenOffOn', date: input.writtenOffOn }, { field: 'paidOn', date: claim.paidOn });
      const amount = claim.compensation.minus(claim.refundedTotal);
      const entryId = amount.isPositive() ? (await this.post(writeOffPosting({ claimId: id, amount, writtenOffOn: input.writtenOffOn }))).id : null;
      await this.claims.update(id, { status, writtenOffOn: input.writtenOffOn, writtenOffAmount: amount, writeOffEntryId: entryId, writtenOffBy: principal?.tokenId ?? null });
    });
    return this.claims.view(id);
  }

  /** Opens the recipe's accounts and posts its entry in the open transaction. */
  private async post(recipe: PostingRecipe) {
    await this.ledgerAccounts.ensureAccounts(recipe.accounts);
    return this.posting.post(null, recipe.entry);
  }
}
