import { Inject, Injectable } from '@nestjs/common';
import type { BreakdownStep } from '../common/breakdown';
import { addWorkingDays, previousQuarter, quarterFirstMonthDay, quarterLastDay, quarterOf } from '../common/calendar';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import { LedgerAccountsService } from '../ledger/ledger-accounts.service';
import { LedgerPostingService } from '../ledger/ledger-posting.service';
import { OutstandingService } from '../loans/outstanding.service';
import { PartiesService } from '../programme/parties.service';
import { PartyStatusService } from '../programme/party-status.service';
import { assertEventDates } from '../common/calendar/event-dates';
import { PolicyService } from '../programme/policy.service';
import { computeLossRate } from '../risk/domain/loss-rate.calculator';
import { AGENCY_COMPENSATION, AgencyCompensationPort } from './agency-compensation.port';
import { AgencyMarginEvent } from './agency-margin-event.entity';
import { MarginRequirementsService } from './margin-requirements.service';
import { MARGIN_ERRORS, MARGIN_STATUS_REASONS } from './domain/margin.errors';
import { marginAccounts, marginBookAccounts, MARGIN_BOOK } from './domain/margin-book';
import { computeMarginDeduction } from './domain/margin-deduction.calculator';
import { marginDeductionPosting, marginDepositPosting, marginWithdrawalPosting, shortfallSettlementPosting } from './domain/margin-postings';
import { computeMarginRequirement } from './domain/margin-requirement.calculator';
import { takeFromMargin } from './domain/margin-shortfall.calculator';
import { openShortfall } from './domain/open-shortfall';


export interface MarginDeductionOutcome {
  deduction: Money;
  taken: Money;
  shortfall: Money;
  topUpDueOn: string | null;
  breakdown: BreakdownStep[];
}

/**
 * Agency margins in the `margin` book (RULES §7; A 第十三、十八、十九条): deposits, withdrawals of
 * the excess over the requirement, the progressive deduction on every approved compensation,
 * shortfalls with their top-up date and the suspension of new business until topped up.
 *
 * Postings: deposit Dr margin:cash / Cr margin:held:AGENCY; withdrawal the reverse; deduction and
 * shortfall settlement Dr margin:held:AGENCY / Cr margin:reward-pool (money taken from margins
 * funds performance rewards, not the reserve).
 */
@Injectable()
export class AgencyMarginService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly posting: LedgerPostingService,
    private readonly ledgerAccounts: LedgerAccountsService,
    private readonly parties: PartiesService,
    private readonly statuses: PartyStatusService,
    private readonly outstanding: OutstandingService,
    private readonly policies: PolicyService,
    private readonly clock: Clock,
    private readonly requirements: MarginRequirementsService,
    @Inject(AGENCY_COMPENSATION) private readonly compensation: AgencyCompensationPort,
  ) {}

  /** The agency's margin held (its account in the margin book); 0.00 before its first deposit. */
  async balance(agencyCode: string): Promise<Money> {
    return this.ledgerAccounts.currentBalance(MARGIN_BOOK, marginAccounts.held(agencyCode).code);
  }

  /** The agency's margin events in the order they were recorded (in the open transaction, if any). */
  private history(agencyCode: string): Promise<AgencyMarginEvent[]> {
    return this.tx.manager.getRepository(AgencyMarginEvent).find({ where: { agencyCode }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  private async record(event: Partial<AgencyMarginEvent> & Pick<AgencyMarginEvent, 'agencyCode' | 'kind' | 'amount' | 'onDate'>): Promise<void> {
    await this.tx.manager.getRepository(AgencyMarginEvent).insert(event);
  }

  /** The business-margin requirement in force on `asOf` (RULES §7; A 第十八条). */
  async requirement(agencyCode: string, asOf: string) {
    const agency = await this.parties.getAgency(agencyCode, this.tx.manager);
    const policy = this.policies.versionFor(asOf);
    const previousQuarterEnd = quarterLastDay(previousQuarter(quarterOf(asOf)));
    // The loans' latest bank reports are a bank's rows, behind the party wall for an agency's read:
    // the balance its margin is computed on is read unrestricted (docs/access.md), the same figure
    // the trustee sees.
    const reviewedBalance = await this.tx.unrestricted((m) => this.outstanding.ofAgency(agencyCode, previousQuarterEnd, m));
    const lossRate = computeLossRate(
      {
        approvedCompensation: await this.compensation.netCompensation(agencyCode),
        refunded: Money.ZERO,
        writtenOffCompensation: Money.ZERO,
        outstandingBalance: reviewedBalance,
      },
      policy,
    );
    const balance = await this.balance(agencyCode);
    const fixed = await this.requirements.stored(agencyCode, quarterOf(asOf));
    if (fixed) {
      // RULES §7 (2026-12): fixed once per quarter by the quarter close; it does not move mid-quarter.
      const requirement = fixed.requirement;
      return {
        feesReceivable: fixed.feesReceivable,
        ratio: fixed.ratio,
        requirement,
        excessWithdrawable: balance.minus(requirement).max(Money.ZERO),
        shortfall: requirement.minus(balance).max(Money.ZERO),
        breakdown: fixed.breakdown,
        balance,
        previousQuarterEnd: fixed.basisQuarterEnd,
        reviewedBalance: fixed.reviewedBalance,
      };
    }
    const result = computeMarginRequirement(
      {
        reviewedBalancePreviousQuarter: reviewedBalance,
        feeRateAnnual: agency.feeRate,
        joinedOn: agency.joinedOn,
        asOf,
        // RULES §6/§7 (2026-12): the 2% test on the exact rate, never on a rounded one.
        lossRate: lossRate.exactRate,
        marginBalance: balance,
      },
      policy,
    );
    return { ...result, balance, previousQuarterEnd, reviewedBalance };
  }

  async view(agencyCode: string) {
    const asOf = this.clock.today();
    const req = await this.requirement(agencyCode, asOf);
    const events = await this.history(agencyCode);
    const open = openShortfall(events);
    const requirementShortfall = req.shortfall;
    // The margin must reach the requirement by the 10th of the quarter's first month (RULES §7).
    const quarter = quarterOf(asOf);
    const dueThisQuarter = quarterFirstMonthDay(quarter, this.policies.versionFor(asOf).marginDueDay);
    const requirementDueOn = requirementShortfall.isPositive() ? dueThisQuarter : null;
    const topUpDueOn = [open.dueOn, requirementDueOn].filter((d): d is string => d !== null).sort()[0] ?? null;
    return {
      agencyCode,
      asOf,
      balance: req.balance.toString(),
      requirement: req.requirement.toString(),
      shortfall: open.amount.plus(requirementShortfall).toString(),
      deductionShortfall: open.amount.toString(),
      requirementShortfall: requirementShortfall.toString(),
      excessWithdrawable: req.excessWithdrawable.toString(),
      topUpDueOn,
      requirementBasis: {
        reviewedBalance: req.reviewedBalance.toString(),
        previousQuarterEnd: req.previousQuarterEnd,
        ratio: req.ratio.toFixed(2),
        feesReceivable: req.feesReceivable.toString(),
        breakdown: req.breakdown,
      },
      deductions: events
        .filter((e) => e.kind === 'deduction')
        .map((e) => ({
          claimId: e.claimId,
          amount: e.amount.toString(),
          due: e.deductionDue?.toString() ?? null,
          shortfall: e.shortfall?.toString() ?? '0.00',
          on: e.onDate,
        })),
    };
  }

  /** A margin deposit; it first makes good any open deduction shortfall, then lifts the suspension. */
  async deposit(agencyCode: string, input: { amount: Money; depositedOn: string }) {
    if (!input.amount.isPositive()) throw DomainError.invalid(MARGIN_ERRORS.AMOUNT_NOT_POSITIVE, 'A deposit must be more than 0.00.');
    assertEventDates(this.clock.today(), [{ field: 'depositedOn', date: input.depositedOn }]);
    await this.tx.run(async (m) => {
      await this.parties.lockAgencies([agencyCode]);
      const agency = await this.parties.getAgency(agencyCode, m);
      await this.ledgerAccounts.ensureAccounts(marginBookAccounts(agencyCode));
      const entry = await this.posting.post(m, marginDepositPosting({ agencyCode, amount: input.amount, depositedOn: input.depositedOn }).entry);
      await this.record({ agencyCode, kind: 'deposit', amount: input.amount, onDate: input.depositedOn, entryId: entry.id });
      const open = openShortfall(await this.history(agencyCode));
      let still = Money.ZERO;
      if (open.amount.isPositive()) {
        const settle = open.amount.min(input.amount);
        const settlement = await this.posting.post(m, shortfallSettlementPosting({ agencyCode, amount: settle, depositedOn: input.depositedOn }).entry);
        await this.record({ agencyCode, kind: 'shortfall_settlement', amount: settle, onDate: input.depositedOn, entryId: settlement.id });
        still = open.amount.minus(settle);
      }
      // Lifts only the margin_shortfall reason (RULES §6): a stronger reason still in force (a
      // disqualification, a loss-rate band, a trustee's suspension) keeps the agency's status. It is
      // lifted once no deduction shortfall is open and the margin reaches the quarter's fixed
      // requirement (RULES §7), when a quarter close fixed one.
      if (!still.isPositive()) {
        const fixed = await this.requirements.stored(agencyCode, quarterOf(input.depositedOn));
        if (!fixed || (await this.balance(agencyCode)).gte(fixed.requirement)) {
          await this.statuses.liftSource('agency', agency.code, 'margin_shortfall', { endedOn: input.depositedOn, reason: MARGIN_STATUS_REASONS.TOPPED_UP });
        }
      }
    });
    return this.view(agencyCode);
  }

  /** Withdrawal of the excess over the requirement only (RULES §7). */
  async withdraw(agencyCode: string, input: { amount: Money; withdrawnOn: string }) {
    if (!input.amount.isPositive()) throw DomainError.invalid(MARGIN_ERRORS.AMOUNT_NOT_POSITIVE, 'A withdrawal must be more than 0.00.');
    assertEventDates(this.clock.today(), [{ field: 'withdrawnOn', date: input.withdrawnOn }]);
    // RULES §7 (2026-12): the margin must stand until the 10th of the quarter's first month; any excess
    // may be withdrawn only after it.
    const dueDay = quarterFirstMonthDay(quarterOf(input.withdrawnOn), this.policies.versionFor(input.withdrawnOn).marginDueDay);
    if (input.withdrawnOn <= dueDay) {
      throw DomainError.rule(MARGIN_ERRORS.WITHDRAWAL_BEFORE_DUE_DAY, `A withdrawal may be dated only after ${dueDay}, the margin's due day of the quarter.`, [
        { code: MARGIN_ERRORS.WITHDRAWAL_BEFORE_DUE_DAY, field: 'withdrawnOn', message: `${input.withdrawnOn} is not after ${dueDay}` },
      ]);
    }
    await this.tx.run(async (m) => {
      await this.parties.getAgency(agencyCode, m);
      await this.parties.lockAgencies([agencyCode]);
      const req = await this.requirement(agencyCode, input.withdrawnOn);
      const open = openShortfall(await this.history(agencyCode));
      const excess = req.excessWithdrawable.minus(open.amount);
      if (input.amount.gt(excess)) {
        throw DomainError.rule(MARGIN_ERRORS.WITHDRAWAL_ABOVE_EXCESS, `Only the excess over the requirement may be withdrawn: at most ${excess.isPositive() ? excess.toString() : '0.00'}.`, [
          {
            code: MARGIN_ERRORS.WITHDRAWAL_ABOVE_EXCESS,
            message: 'amount above the excess over the requirement',
            balance: req.balance.toString(),
            requirement: req.requirement.toString(),
            openShortfall: open.amount.toString(),
            requested: input.amount.toString(),
          },
        ]);
      }
      await this.ledgerAccounts.ensureAccounts(marginBookAccounts(agencyCode));
      const entry = await this.posting.post(m, marginWithdrawalPosting({ agencyCode, amount: input.amount, withdrawnOn: input.withdrawnOn }).entry);
      await this.record({ agencyCode, kind: 'withdrawal', amount: input.amount, onDate: input.withdrawnOn, entryId: entry.id });
    });
    return this.view(agencyCode);
  }

  /**
   * The deduction on an approved compensation, inside the approval's transaction (RULES §7;
   * A 第十八条): the marginal band deduction on the agency's reviewed balance, taken from what the
   * margin holds; any shortfall is recorded with its top-up date (5 working days) and the agency
   * is suspended for new business until it tops up (A 第十九条(三)).
   */
  async deductForClaim(input: { agencyCode: string; claimId: string; compensation: Money; approvedOn: string; policyVersionId: string }): Promise<MarginDeductionOutcome> {
    return this.tx.run(async (m) => {
      const policy = this.policies.byId(input.policyVersionId);
      await this.parties.lockAgencies([input.agencyCode]);
      const reviewedBalance = await this.outstanding.ofAgency(input.agencyCode, input.approvedOn, m);
      const prior = await this.compensation.netCompensation(input.agencyCode, { excludeClaimId: input.claimId });
      const deduction = computeMarginDeduction({ reviewedBalance, priorNetCompensation: prior, compensation: input.compensation }, policy);
      await this.ledgerAccounts.ensureAccounts(marginBookAccounts(input.agencyCode));
      const take = takeFromMargin({ marginBalance: await this.balance(input.agencyCode), amountDue: deduction.deduction });
      let entryId: string | null = null;
      if (take.taken.isPositive()) {
        const recipe = marginDeductionPosting({ agencyCode: input.agencyCode, claimId: input.claimId, taken: take.taken, approvedOn: input.approvedOn });
        entryId = (await this.posting.post(m, recipe.entry)).id;
      }
      const topUpDueOn = take.shortfall.isPositive() ? addWorkingDays(input.approvedOn, policy.marginTopUpWorkingDays) : null;
      await this.record({
        agencyCode: input.agencyCode,
        kind: 'deduction',
        amount: take.taken,
        onDate: input.approvedOn,
        claimId: input.claimId,
        deductionDue: deduction.deduction,
        shortfall: take.shortfall,
        topUpDueOn,
        breakdown: deduction.breakdown,
        entryId,
      });
      if (take.shortfall.isPositive()) {
        await this.statuses.addReason('agency', input.agencyCode, {
          source: 'margin_shortfall',
          status: 'suspended_new',
          reason: `${MARGIN_STATUS_REASONS.SHORTFALL}: ${take.shortfall.toString()} short on the deduction for claim ${input.claimId}`,
          startedOn: input.approvedOn,
        });
      }
      return { deduction: deduction.deduction, taken: take.taken, shortfall: take.shortfall, topUpDueOn, breakdown: deduction.breakdown };
    });
  }
}
