import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { BreakdownStep } from '../common/breakdown';
import { addWorkingDays, previousQuarter, quarterFirstMonthDay, quarterLastDay, quarterOf } from '../common/calendar';
import { Clock } from '../common/clock/clock';
import { DomainError } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import { LedgerPostingService } from '../ledger/ledger-posting.service';
import { OutstandingService } from '../loans/outstanding.service';
import { PartiesService } from '../programme/parties.service';
import { PolicyService } from '../programme/policy.service';
import { currentBalance, ledgerAccount } from '../reserve/ledger-reads';
import { marginAccounts, marginBookAccounts, MARGIN_BOOK } from './domain/margin-book';
import { computeMarginDeduction } from './domain/margin-deduction.calculator';
import { marginDeductionPosting, marginDepositPosting, marginWithdrawalPosting, shortfallSettlementPosting } from './domain/margin-postings';
import { computeMarginRequirement } from './domain/margin-requirement.calculator';
import { takeFromMargin } from './domain/margin-shortfall.calculator';
import { computeLossRate } from '../risk/domain/loss-rate.calculator';

/** The reason recorded on an agency suspended for a margin shortfall (RULES §7; A 第十九条(三)). */
export const MARGIN_SHORTFALL_REASON = 'MARGIN.SHORTFALL';

export interface MarginDeductionOutcome {
  deduction: Money;
  taken: Money;
  shortfall: Money;
  topUpDueOn: string | null;
  breakdown: BreakdownStep[];
}

interface EventRow {
  kind: 'deposit' | 'withdrawal' | 'deduction' | 'shortfall_settlement';
  amount: string;
  on_date: string;
  claim_id: string | null;
  deduction_due: string | null;
  shortfall: string | null;
  top_up_due_on: string | null;
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
    private readonly dataSource: DataSource,
    private readonly posting: LedgerPostingService,
    private readonly parties: PartiesService,
    private readonly outstanding: OutstandingService,
    private readonly policies: PolicyService,
    private readonly clock: Clock,
  ) {}

  private async ensureAccounts(m: EntityManager, agencyCode: string): Promise<void> {
    for (const def of marginBookAccounts(agencyCode)) {
      await this.posting.ensureAccount(m, ledgerAccount(def));
    }
  }

  async balance(agencyCode: string, m?: EntityManager): Promise<Money> {
    return currentBalance(m ?? this.dataSource.manager, MARGIN_BOOK, marginAccounts.held(agencyCode).code);
  }

  private async events(agencyCode: string, m?: EntityManager): Promise<EventRow[]> {
    return (m ?? this.dataSource.manager).query(
      `SELECT kind, amount, on_date, claim_id, deduction_due, shortfall, top_up_due_on
         FROM agency_margin_events WHERE agency_code = $1 ORDER BY created_at, id`,
      [agencyCode],
    );
  }

  /** Deduction shortfalls not yet made good by later deposits, with the earliest due date. */
  private openShortfall(events: EventRow[]): { amount: Money; dueOn: string | null } {
    let owed = Money.ZERO;
    let dueOn: string | null = null;
    for (const e of events) {
      if (e.kind === 'deduction' && e.shortfall && Money.of(e.shortfall).isPositive()) {
        owed = owed.plus(Money.of(e.shortfall));
        dueOn = dueOn ?? e.top_up_due_on;
      } else if (e.kind === 'shortfall_settlement') {
        owed = owed.minus(Money.of(e.amount));
        if (!owed.isPositive()) dueOn = null;
      }
    }
    return { amount: owed.isPositive() ? owed : Money.ZERO, dueOn: owed.isPositive() ? dueOn : null };
  }

  /** Net compensation on the agency's loans (approved − refunded − written off), RULES §6. */
  async netCompensation(agencyCode: string, m: EntityManager, excludeClaimId?: string): Promise<Money> {
    const rows: { net: string | null }[] = await m.query(
      `SELECT COALESCE(SUM(compensation - refunded_total - COALESCE(written_off_amount, 0)), 0)::numeric(20,2) AS net
         FROM claims
        WHERE agency_code = $1 AND status IN ('approved','paid','receipted','written_off') AND ($2::uuid IS NULL OR id <> $2::uuid)`,
      [agencyCode, excludeClaimId ?? null],
    );
    return Money.of(rows[0]?.net ?? '0');
  }

  /** The business-margin requirement in force on `asOf` (RULES §7; A 第十八条). */
  async requirement(agencyCode: string, asOf: string, m?: EntityManager) {
    const manager = m ?? this.dataSource.manager;
    const agency = await this.parties.getAgency(agencyCode, manager);
    const policy = this.policies.versionFor(asOf);
    const previousQuarterEnd = quarterLastDay(previousQuarter(quarterOf(asOf)));
    const reviewedBalance = await this.outstanding.ofAgency(agencyCode, previousQuarterEnd, manager);
    const lossRate = computeLossRate(
      {
        approvedCompensation: await this.netCompensation(agencyCode, manager),
        refunded: Money.ZERO,
        writtenOffCompensation: Money.ZERO,
        outstandingBalance: reviewedBalance,
      },
      policy,
    );
    const balance = await this.balance(agencyCode, manager);
    const result = computeMarginRequirement(
      {
        reviewedBalancePreviousQuarter: reviewedBalance,
        feeRateAnnual: agency.feeRate,
        joinedOn: agency.joinedOn,
        asOf,
        lossRate: lossRate.rate,
        marginBalance: balance,
      },
      policy,
    );
    return { ...result, balance, previousQuarterEnd, reviewedBalance };
  }

  async view(agencyCode: string) {
    const asOf = this.clock.today();
    const req = await this.requirement(agencyCode, asOf);
    const events = await this.events(agencyCode);
    const open = this.openShortfall(events);
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
          claimId: e.claim_id,
          amount: Money.of(e.amount).toString(),
          due: e.deduction_due === null ? null : Money.of(e.deduction_due).toString(),
          shortfall: e.shortfall === null ? '0.00' : Money.of(e.shortfall).toString(),
          on: e.on_date,
        })),
    };
  }

  /** A margin deposit; it first makes good any open deduction shortfall, then lifts the suspension. */
  async deposit(agencyCode: string, input: { amount: Money; depositedOn: string }) {
    if (!input.amount.isPositive()) throw DomainError.invalid('MARGIN.AMOUNT_NOT_POSITIVE', 'A deposit must be more than 0.00.');
    await this.dataSource.transaction(async (m) => {
      const agency = await this.parties.getAgency(agencyCode, m);
      await m.query('SELECT 1 FROM agencies WHERE code = $1 FOR UPDATE', [agencyCode]);
      await this.ensureAccounts(m, agencyCode);
      const entry = await this.posting.post(m, marginDepositPosting({ agencyCode, amount: input.amount, depositedOn: input.depositedOn }).entry);
      await m.query(
        `INSERT INTO agency_margin_events (agency_code, kind, amount, on_date, entry_id) VALUES ($1, 'deposit', $2, $3, $4)`,
        [agencyCode, input.amount.toString(), input.depositedOn, entry.id],
      );
      const open = this.openShortfall(await this.events(agencyCode, m));
      if (open.amount.isPositive()) {
        const settle = open.amount.min(input.amount);
        const settlement = await this.posting.post(m, shortfallSettlementPosting({ agencyCode, amount: settle, depositedOn: input.depositedOn }).entry);
        await m.query(
          `INSERT INTO agency_margin_events (agency_code, kind, amount, on_date, entry_id) VALUES ($1, 'shortfall_settlement', $2, $3, $4)`,
          [agencyCode, settle.toString(), input.depositedOn, settlement.id],
        );
        const still = open.amount.minus(settle);
        if (!still.isPositive() && agency.status === 'suspended_new' && agency.statusReason === MARGIN_SHORTFALL_REASON) {
          await this.parties.setStatus('agency', agencyCode, { status: 'active', reason: 'MARGIN.TOPPED_UP', since: input.depositedOn }, m);
        }
      }
    });
    return this.view(agencyCode);
  }

  /** Withdrawal of the excess over the requirement only (RULES §7). */
  async withdraw(agencyCode: string, input: { amount: Money; withdrawnOn: string }) {
    if (!input.amount.isPositive()) throw DomainError.invalid('MARGIN.AMOUNT_NOT_POSITIVE', 'A withdrawal must be more than 0.00.');
    await this.dataSource.transaction(async (m) => {
      await this.parties.getAgency(agencyCode, m);
      await m.query('SELECT 1 FROM agencies WHERE code = $1 FOR UPDATE', [agencyCode]);
      const req = await this.requirement(agencyCode, input.withdrawnOn, m);
      const open = this.openShortfall(await this.events(agencyCode, m));
      const excess = req.excessWithdrawable.minus(open.amount);
      if (input.amount.gt(excess)) {
        throw DomainError.rule('MARGIN.WITHDRAWAL_ABOVE_EXCESS', `Only the excess over the requirement may be withdrawn: at most ${excess.isPositive() ? excess.toString() : '0.00'}.`, [
          {
            code: 'MARGIN.WITHDRAWAL_ABOVE_EXCESS',
            message: 'amount above the excess over the requirement',
            balance: req.balance.toString(),
            requirement: req.requirement.toString(),
            openShortfall: open.amount.toString(),
            requested: input.amount.toString(),
          },
        ]);
      }
      await this.ensureAccounts(m, agencyCode);
      const entry = await this.posting.post(m, marginWithdrawalPosting({ agencyCode, amount: input.amount, withdrawnOn: input.withdrawnOn }).entry);
      await m.query(
        `INSERT INTO agency_margin_events (agency_code, kind, amount, on_date, entry_id) VALUES ($1, 'withdrawal', $2, $3, $4)`,
        [agencyCode, input.amount.toString(), input.withdrawnOn, entry.id],
      );
    });
    return this.view(agencyCode);
  }

  /**
   * The deduction on an approved compensation, inside the approval's transaction (RULES §7;
   * A 第十八条): the marginal band deduction on the agency's reviewed balance, taken from what the
   * margin holds; any shortfall is recorded with its top-up date (5 working days) and the agency
   * is suspended for new business until it tops up (A 第十九条(三)).
   */
  async deductForClaim(
    m: EntityManager,
    input: { agencyCode: string; claimId: string; compensation: Money; approvedOn: string; policyVersionId: string },
  ): Promise<MarginDeductionOutcome> {
    const policy = this.policies.byId(input.policyVersionId);
    await m.query('SELECT 1 FROM agencies WHERE code = $1 FOR UPDATE', [input.agencyCode]);
    const reviewedBalance = await this.outstanding.ofAgency(input.agencyCode, input.approvedOn, m);
    const prior = await this.netCompensation(input.agencyCode, m, input.claimId);
    const deduction = computeMarginDeduction({ reviewedBalance, priorNetCompensation: prior, compensation: input.compensation }, policy);
    await this.ensureAccounts(m, input.agencyCode);
    const balance = await this.balance(input.agencyCode, m);
    const take = takeFromMargin({ marginBalance: balance, amountDue: deduction.deduction });
    let entryId: string | null = null;
    if (take.taken.isPositive()) {
      const entry = await this.posting.post(
        m,
        marginDeductionPosting({ agencyCode: input.agencyCode, claimId: input.claimId, taken: take.taken, approvedOn: input.approvedOn }).entry,
      );
      entryId = entry.id;
    }
    const topUpDueOn = take.shortfall.isPositive() ? addWorkingDays(input.approvedOn, policy.marginTopUpWorkingDays) : null;
    await m.query(
      `INSERT INTO agency_margin_events (agency_code, kind, amount, on_date, claim_id, deduction_due, shortfall, top_up_due_on, breakdown, entry_id)
       VALUES ($1, 'deduction', $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        input.agencyCode,
        take.taken.toString(),
        input.approvedOn,
        input.claimId,
        deduction.deduction.toString(),
        take.shortfall.toString(),
        topUpDueOn,
        JSON.stringify(deduction.breakdown),
        entryId,
      ],
    );
    if (take.shortfall.isPositive()) {
      await this.parties.setStatus('agency', input.agencyCode, { status: 'suspended_new', reason: MARGIN_SHORTFALL_REASON, since: input.approvedOn }, m);
    }
    return { deduction: deduction.deduction, taken: take.taken, shortfall: take.shortfall, topUpDueOn, breakdown: deduction.breakdown };
  }
}
