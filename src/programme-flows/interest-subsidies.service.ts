import { assertFourEyes } from '../common/access/four-eyes';
import { Injectable } from '@nestjs/common';
import { assertBankScope } from '../common/access/party-scope';
import type { Principal } from '../common/access/principal';
import { addMonths } from '../common/calendar';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { fmtMoney, fmtPercent } from '../common/format/figures';
import { isUuid } from '../common/ids';
import { Money } from '../common/money/money';
import { Rate } from '../common/money/rate';
import type { PostingRecipe } from '../ledger/domain/entry-draft';
import { LedgerAccountsService } from '../ledger/ledger-accounts.service';
import { LedgerPostingService } from '../ledger/ledger-posting.service';
import { rowInForce } from '../programme/domain/reference-rates';
import { ReferenceRatesService } from '../programme/reference-rates.service';
import { FLOW_DAY_COUNT_BASIS, LPR_ONE_YEAR_TERM_MONTHS_MAX, type SubsidyFlowParameters } from './domain/flow-parameters';
import { SUBSIDY_BOOK, payablePaidPosting, subsidyClaimPosting } from './domain/flow-books';
import { SUBSIDY_ERRORS } from './domain/flows.errors';
import { quarterSubsidy, subsidisedRate, subsidySchedule, subsidyTimes } from './domain/interest-subsidy.calculator';
import { assertFlowDates } from './flow-dates';
import { type FlowLoan, FlowSourceService } from './flow-source.service';
import { canReadFlowRow } from './flow-scope';
import { InterestSubsidy, InterestSubsidyQuarter } from './programme-flows.entities';

const RULE = 'RULES §11; xinxiang (四)';

function quarterOut(q: InterestSubsidyQuarter) {
  return {
    quarter: q.quarter,
    from: q.periodFrom,
    to: q.periodTo,
    days: q.days,
    scheduledAmount: q.scheduledAmount.toString(),
    principalOutstanding: q.principalOutstanding?.toString() ?? null,
    amount: q.amount?.toString() ?? null,
    claimedOn: q.claimedOn,
    paidOn: q.paidOn,
    status: q.paidOn ? 'paid' : q.claimedOn ? 'claimed' : 'scheduled',
    breakdown: q.breakdown,
  };
}

function subsidyOut(s: InterestSubsidy, quarters: InterestSubsidyQuarter[]) {
  const paid = quarters.filter((q) => q.paidOn && q.amount);
  return {
    id: s.id,
    loanId: s.loanId,
    bankCode: s.bankCode,
    borrowerCode: s.borrowerCode,
    programme: s.programme,
    programmeVersionId: s.programmeVersionId,
    ordinal: s.ordinal,
    renewals: s.ordinal - 1,
    timesMax: s.timesMax,
    principal: s.principal.toString(),
    loanRate: s.loanRate.toString(),
    lpr: s.lpr.toString(),
    lprEffectiveFrom: s.lprEffectiveFrom,
    band: { floor: s.bandFloor.toString(), ceiling: s.bandCeiling.toString() },
    subsidisedRate: s.subsidisedRate.toString(),
    dayCountBasis: s.dayCountBasis,
    startsOn: s.startsOn,
    endsOn: s.endsOn,
    grantedOn: s.grantedOn,
    scheduledTotal: s.scheduledTotal.toString(),
    paidTotal: Money.sum(paid.map((q) => q.amount as Money)).toString(),
    quarters: quarters.map(quarterOut),
    breakdown: s.breakdown,
  };
}

export type InterestSubsidyView = ReturnType<typeof subsidyOut>;

const notFound = (loanId: string, id: string) =>
  DomainError.notFound(SUBSIDY_ERRORS.NOT_FOUND, `No interest subsidy ${id} on loan ${loanId}.`, [{ code: SUBSIDY_ERRORS.NOT_FOUND, field: 'subsidyId', message: 'not found' }]);

/**
 * The interest subsidy of a start-up guarantee loan (issue 18 item 3; RULES §11; xinxiang (四);
 * docs/programme-flows.md): granted on a disbursed loan of at most 3,000,000.00, at most 3 times per
 * borrower; its quarterly schedule on the part of the rate between LPR − 150 bp and LPR + 150 bp; each
 * quarter claimed by the bank after it ends (on the principal then outstanding) and paid by the
 * custodian from the subsidy fund, on the `subsidy` book.
 */
@Injectable()
export class InterestSubsidiesService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly source: FlowSourceService,
    private readonly referenceRates: ReferenceRatesService,
    private readonly posting: LedgerPostingService,
    private readonly ledgerAccounts: LedgerAccountsService,
    private readonly clock: Clock,
  ) {}

  async grant(loanId: string, input: { grantedOn: string; startsOn: string | null; endsOn: string | null }, principal?: Principal): Promise<InterestSubsidyView> {
    const id = await this.tx.run(async (m) => {
      const { loan, parameters } = await this.source.subsidyFlow(loanId, principal, m);
      const programme = loan.programme;
      const { principalAmount, startsOn, endsOn } = this.assertGrantable(loan, parameters, input);
      const lpr = this.lprFor(loan);
      const band = subsidisedRate({ loanRate: loan.annualRate, lpr: lpr.rate, lprOffsetLowBp: parameters.lprOffsetLowBp, lprOffsetHighBp: parameters.lprOffsetHighBp });
      // One grant at a time per borrower of the programme: the count of earlier grants is exact
      // (the unique (programme, borrower, ordinal) backs it up).
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`interest-subsidy:${programme}:${loan.borrowerCode}`]);
      const repo = m.getRepository(InterestSubsidy);
      const existing = await repo.findOne({ where: { loanId: loan.id } });
      if (existing) throw DomainError.conflict(SUBSIDY_ERRORS.ALREADY_GRANTED, `Loan ${loan.id} already has interest subsidy ${existing.id}.`, [{ code: SUBSIDY_ERRORS.ALREADY_GRANTED, field: 'loanId', message: `subsidy ${existing.id}`, subsidyId: existing.id }]);
      const earlier = await repo.count({ where: { programme, borrowerCode: loan.borrowerCode } });
      const times = subsidyTimes(earlier, parameters.timesMax);
      if (!times) {
        throw DomainError.rule(SUBSIDY_ERRORS.TIMES_EXHAUSTED, `Borrower ${loan.borrowerCode} has had the interest subsidy ${earlier} times; programme ${programme} allows at most ${parameters.timesMax} (${RULE}: 累计不超过 ${parameters.timesMax} 次).`, [
          { code: SUBSIDY_ERRORS.TIMES_EXHAUSTED, field: 'loanId', message: `${earlier} of ${parameters.timesMax} used`, used: earlier, timesMax: parameters.timesMax },
        ]);
      }
      const schedule = subsidySchedule({ principal: principalAmount, rate: band.subsidisedRate, startsOn, endsOn, dayCountBasis: FLOW_DAY_COUNT_BASIS });
      const breakdown = [
        { rule: RULE, text: `Loan ${fmtMoney(principalAmount)} ≤ ${fmtMoney(parameters.loanAmountMax)}.`, value: principalAmount.toString() },
        { rule: RULE, text: `LPR (${loan.termMonths <= LPR_ONE_YEAR_TERM_MONTHS_MAX ? '1-year' : '5-year'}) in force on the contract date ${loan.contractDate}: ${fmtPercent(lpr.rate)} (from ${lpr.effectiveFrom}).`, value: lpr.rate.toString() },
        ...band.breakdown,
        times.step,
        ...schedule.breakdown,
      ].map((s) => ({ ...s, policyVersion: loan.programmeVersionId }));
      const saved = await repo.save(
        repo.create({
          loanId: loan.id,
          bankCode: loan.bankCode,
          borrowerCode: loan.borrowerCode,
          programme,
          programmeVersionId: loan.programmeVersionId,
          ordinal: times.ordinal,
          timesMax: parameters.timesMax,
          principal: principalAmount,
          loanRate: loan.annualRate,
          lpr: lpr.rate,
          lprEffectiveFrom: lpr.effectiveFrom,
          bandFloor: band.bandFloor,
          bandCeiling: band.bandCeiling,
          subsidisedRate: band.subsidisedRate,
          dayCountBasis: FLOW_DAY_COUNT_BASIS,
          startsOn,
          endsOn,
          grantedOn: input.grantedOn,
          grantedBy: principal?.tokenId ?? null,
          scheduledTotal: schedule.total,
          breakdown,
        }),
      );
      await m.getRepository(InterestSubsidyQuarter).insert(
        schedule.quarters.map((q, i) => ({ subsidyId: saved.id, quarter: q.quarter, position: i + 1, periodFrom: q.from, periodTo: q.to, days: q.days, scheduledAmount: q.amount })),
      );
      return saved.id;
    });
    return this.get(loanId, id);
  }

  /**
   * The loan is at most the programme's cap; the subsidised period lies within the loan's term,
   * from its contract date to the contract date + term (programme loans record no separate
   * disbursement); the grant is dated on or after the contract and not in the future.
   */
  private assertGrantable(loan: FlowLoan, p: SubsidyFlowParameters, input: { grantedOn: string; startsOn: string | null; endsOn: string | null }): { principalAmount: Money; startsOn: string; endsOn: string } {
    if (loan.amount.gt(p.loanAmountMax)) {
      throw DomainError.rule(SUBSIDY_ERRORS.LOAN_ABOVE_CAP, `Loan ${loan.id} of ${fmtMoney(loan.amount)} is above the ${fmtMoney(p.loanAmountMax)} a start-up guarantee loan may have (${RULE}).`, [
        { code: SUBSIDY_ERRORS.LOAN_ABOVE_CAP, field: 'loanId', message: `${loan.amount.toString()} > ${p.loanAmountMax.toString()}`, amount: loan.amount.toString(), loanAmountMax: p.loanAmountMax.toString() },
      ]);
    }
    const maturity = addMonths(loan.contractDate, loan.termMonths);
    const startsOn = input.startsOn ?? loan.contractDate;
    const endsOn = input.endsOn ?? maturity;
    if (startsOn < loan.contractDate || endsOn > maturity || endsOn <= startsOn) {
      throw DomainError.rule(SUBSIDY_ERRORS.PERIOD_INVALID, `The subsidised period ${startsOn}…${endsOn} must lie within the loan's ${loan.contractDate}…${maturity} and not be empty.`, [
        { code: SUBSIDY_ERRORS.PERIOD_INVALID, field: 'startsOn', message: `${startsOn}…${endsOn} outside ${loan.contractDate}…${maturity}`, contractDate: loan.contractDate, maturity },
      ]);
    }
    assertFlowDates(this.clock.today(), [{ field: 'grantedOn', date: input.grantedOn }], [{ field: 'grantedOn', date: input.grantedOn, notBefore: { field: 'contractDate', date: loan.contractDate } }], SUBSIDY_ERRORS.DATES_OUT_OF_ORDER);
    return { principalAmount: loan.amount, startsOn, endsOn };
  }

  /** The LPR for the loan's term in force on its contract date (as RULES §2's rate cap reads the LPR). */
  private lprFor(loan: FlowLoan): { rate: Rate; effectiveFrom: string } {
    const row = rowInForce(this.referenceRates.current().lpr, loan.contractDate);
    if (!row) {
      throw DomainError.rule(SUBSIDY_ERRORS.LPR_UNKNOWN, `No LPR is known for ${loan.contractDate}.`, [{ code: SUBSIDY_ERRORS.LPR_UNKNOWN, field: 'contractDate', message: 'before the first LPR row' }]);
    }
    return { rate: Rate.of(loan.termMonths <= LPR_ONE_YEAR_TERM_MONTHS_MAX ? row.oneYear : row.fiveYear), effectiveFrom: row.effectiveFrom };
  }

  /** The bank claims an ended quarter on the principal then outstanding: Dr subsidy:granted / Cr subsidy:payable:BANK. */
  async claimQuarter(loanId: string, id: string, quarter: string, input: { claimedOn: string; principalOutstanding: Money }, principal?: Principal): Promise<InterestSubsidyView> {
    await this.tx.run(async (m) => {
      const s = await this.lock(loanId, id, principal);
      assertBankScope(principal, s.bankCode);
      const quarters = await m.getRepository(InterestSubsidyQuarter).find({ where: { subsidyId: id }, order: { position: 'ASC' } });
      const q = this.quarterOf(s, quarters, quarter);
      if (q.claimedOn) throw DomainError.conflict(SUBSIDY_ERRORS.QUARTER_ALREADY_CLAIMED, `${quarter} of subsidy ${id} was claimed on ${q.claimedOn}.`, [{ code: SUBSIDY_ERRORS.QUARTER_ALREADY_CLAIMED, field: 'quarter', message: `claimed ${q.claimedOn}` }]);
      const before = quarters.find((x) => x.position === q.position - 1);
      if (before && !before.claimedOn) throw DomainError.conflict(SUBSIDY_ERRORS.QUARTER_OUT_OF_ORDER, `${before.quarter} of subsidy ${id} must be claimed before ${quarter}.`, [{ code: SUBSIDY_ERRORS.QUARTER_OUT_OF_ORDER, field: 'quarter', message: `${before.quarter} first`, first: before.quarter }]);
      if (input.claimedOn < q.periodTo) throw DomainError.rule(SUBSIDY_ERRORS.QUARTER_NOT_ENDED, `${quarter}'s subsidised days run to ${q.periodTo} (exclusive); it is claimed from ${q.periodTo}, not on ${input.claimedOn}.`, [{ code: SUBSIDY_ERRORS.QUARTER_NOT_ENDED, field: 'claimedOn', message: `from ${q.periodTo}`, claimableFrom: q.periodTo }]);
      assertFlowDates(this.clock.today(), [{ field: 'claimedOn', date: input.claimedOn }], [], SUBSIDY_ERRORS.QUARTER_NOT_ENDED);
      if (!input.principalOutstanding.isPositive() || input.principalOutstanding.gt(s.principal)) {
        throw DomainError.rule(SUBSIDY_ERRORS.PRINCIPAL_ABOVE_SUBSIDISED, `The principal outstanding must be positive and at most the subsidised ${fmtMoney(s.principal)}.`, [{ code: SUBSIDY_ERRORS.PRINCIPAL_ABOVE_SUBSIDISED, field: 'principalOutstanding', message: `0 < principal ≤ ${s.principal.toString()}` }]);
      }
      const { amount, text } = quarterSubsidy(input.principalOutstanding, s.subsidisedRate, q.days, s.dayCountBasis);
      const breakdown = [{ rule: RULE, text: `${quarter}, ${q.days} days on the principal outstanding: ${text}.`, value: amount.toString(), policyVersion: s.programmeVersionId }];
      const entryId = amount.isPositive() ? await this.post(subsidyClaimPosting({ subsidyId: id, quarter, bankCode: s.bankCode, amount, claimedOn: input.claimedOn })) : null;
      await m.update(InterestSubsidyQuarter, { subsidyId: id, quarter }, { principalOutstanding: input.principalOutstanding, amount, breakdown, claimedOn: input.claimedOn, claimedBy: principal?.tokenId ?? null, claimEntryId: entryId });
    });
    return this.get(loanId, id);
  }

  /** The custodian pays a claimed quarter from the subsidy fund: Dr subsidy:payable:BANK / Cr subsidy:fund. */
  async payQuarter(loanId: string, id: string, quarter: string, input: { paidOn: string }, principal?: Principal): Promise<InterestSubsidyView> {
    await this.tx.run(async (m) => {
      const s = await this.lock(loanId, id);
      const quarters = await m.getRepository(InterestSubsidyQuarter).find({ where: { subsidyId: id }, order: { position: 'ASC' } });
      const q = this.quarterOf(s, quarters, quarter);
      if (!q.claimedOn || !q.amount) throw DomainError.conflict(SUBSIDY_ERRORS.QUARTER_NOT_CLAIMED, `${quarter} of subsidy ${id} has not been claimed.`, [{ code: SUBSIDY_ERRORS.QUARTER_NOT_CLAIMED, field: 'quarter', message: 'not claimed' }]);
      if (q.paidOn) throw DomainError.conflict(SUBSIDY_ERRORS.QUARTER_ALREADY_PAID, `${quarter} of subsidy ${id} was paid on ${q.paidOn}.`, [{ code: SUBSIDY_ERRORS.QUARTER_ALREADY_PAID, field: 'quarter', message: `paid ${q.paidOn}` }]);
      assertFlowDates(this.clock.today(), [{ field: 'paidOn', date: input.paidOn }], [{ field: 'paidOn', date: input.paidOn, notBefore: { field: 'claimedOn', date: q.claimedOn } }], SUBSIDY_ERRORS.DATES_OUT_OF_ORDER);
      // Four eyes: the token that claimed a quarter (a trustee may claim for a bank) does not pay it.
      assertFourEyes(principal, 'pay', [{ target: `subsidy ${id} ${quarter} claim`, makerTokenId: q.claimedBy ?? null, ids: { subsidyId: id } }]);
      const entryId = q.amount.isPositive()
        ? await this.post(payablePaidPosting({ book: SUBSIDY_BOOK, bankCode: s.bankCode, amount: q.amount, paidOn: input.paidOn, memo: `Interest subsidy ${quarter} paid, subsidy ${id}`, link: { type: 'interest-subsidy', id } }))
        : null;
      await m.update(InterestSubsidyQuarter, { subsidyId: id, quarter }, { paidOn: input.paidOn, paidBy: principal?.tokenId ?? null, paymentEntryId: entryId });
    });
    return this.get(loanId, id);
  }

  // ---- reads ----

  /** The loan's subsidy the principal may see (a bank its own; an unknown loan has none). */
  async list(loanId: string, principal?: Principal): Promise<{ items: InterestSubsidyView[] }> {
    const rows = isUuid(loanId) ? await this.tx.manager.getRepository(InterestSubsidy).find({ where: { loanId } }) : [];
    const items: InterestSubsidyView[] = [];
    for (const s of rows.filter((r) => canReadFlowRow(principal, r))) items.push(await this.withQuarters(s));
    return { items };
  }

  async get(loanId: string, id: string, principal?: Principal): Promise<InterestSubsidyView> {
    const s = isUuid(id) && isUuid(loanId) ? await this.tx.manager.getRepository(InterestSubsidy).findOne({ where: { id, loanId } }) : null;
    if (!s || !canReadFlowRow(principal, s)) throw notFound(loanId, id);
    return this.withQuarters(s);
  }

  private async withQuarters(s: InterestSubsidy): Promise<InterestSubsidyView> {
    const quarters = await this.tx.manager.getRepository(InterestSubsidyQuarter).find({ where: { subsidyId: s.id }, order: { position: 'ASC' } });
    return subsidyOut(s, quarters);
  }

  private quarterOf(s: InterestSubsidy, quarters: InterestSubsidyQuarter[], quarter: string): InterestSubsidyQuarter {
    const q = quarters.find((x) => x.quarter === quarter);
    if (!q) {
      throw DomainError.rule(SUBSIDY_ERRORS.QUARTER_NOT_IN_SCHEDULE, `${quarter} is not in the schedule of subsidy ${s.id} (${quarters[0]?.quarter}…${quarters.at(-1)?.quarter}).`, [
        { code: SUBSIDY_ERRORS.QUARTER_NOT_IN_SCHEDULE, field: 'quarter', message: `not in ${quarters.map((x) => x.quarter).join(', ')}` },
      ]);
    }
    return q;
  }

  /** The subsidy, locked; another bank's is a 404 as when reading it. */
  private async lock(loanId: string, id: string, principal?: Principal): Promise<InterestSubsidy> {
    const s = isUuid(id) && isUuid(loanId) ? await this.tx.manager.getRepository(InterestSubsidy).findOne({ where: { id, loanId }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!s || !canReadFlowRow(principal, s)) throw notFound(loanId, id);
    return s;
  }

  private async post(recipe: PostingRecipe): Promise<string> {
    await this.ledgerAccounts.ensureAccounts(recipe.accounts);
    return (await this.posting.post(null, recipe.entry)).id;
  }
}
