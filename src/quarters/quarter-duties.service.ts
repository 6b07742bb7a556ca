import { Injectable } from '@nestjs/common';
import { nextQuarter, quarterLastDay } from '../common/calendar/quarter';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import { MarginRequirementsService } from '../agencies/margin-requirements.service';
import { ClaimTotalsService, type LossRateNumerator } from '../claims/claim-totals.service';
import { LedgerAccountsService } from '../ledger/ledger-accounts.service';
import { LedgerAuditService } from '../ledger/ledger-audit.service';
import { LoanAggregatesService } from '../loans/loan-aggregates.service';
import { OutstandingService } from '../loans/outstanding.service';
import { PartyLossRatesService, type LossRateParty, type LossRateRecord, type PartyRow } from '../programme/party-loss-rates.service';
import { PartyStatusService } from '../programme/party-status.service';
import { PolicyService } from '../programme/policy.service';
import { PlacementService } from '../placement/placement.service';
import { ReserveService } from '../reserve/reserve.service';
import { checkAgencyDormancy, checkBankDormancy } from '../risk/domain/disqualification.calculator';
import { assessAgencyLossRate, assessBankLossRate } from '../risk/domain/loss-rate.calculator';
import type { QuarterDuty } from './domain/quarter-duties';
import { DormancyProposal } from './quarter-run.entity';

/** What a duty stores in its run row: small JSON; the lists live in their owners' tables. */
export type DutyResult = Record<string, unknown>;

type Balances = Awaited<ReturnType<OutstandingService['asOf']>>;

const ZERO_NUMERATOR: LossRateNumerator = { approved: Money.ZERO, refunded: Money.ZERO, writtenOff: Money.ZERO };

/**
 * The work of each duty of a quarter close (issue 12), each run inside the transaction the close
 * service opens for it (so it commits with its run row, or not at all). Every figure is read as of
 * the quarter end from dated aggregates computed in SQL by the owning modules' services; each
 * status change goes through the reasons of RULES §6 (PartyStatusService).
 */
@Injectable()
export class QuarterDutiesService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly claimTotals: ClaimTotalsService,
    private readonly outstanding: OutstandingService,
    private readonly loanAggregates: LoanAggregatesService,
    private readonly lossRates: PartyLossRatesService,
    private readonly statuses: PartyStatusService,
    private readonly policies: PolicyService,
    private readonly margins: MarginRequirementsService,
    private readonly reserve: ReserveService,
    private readonly placements: PlacementService,
    private readonly ledgerAccounts: LedgerAccountsService,
    private readonly ledgerAudit: LedgerAuditService,
  ) {}

  /**
   * The outstanding balances as of a date, aggregated once per pass of the close (the benchmark's
   * largest statement: every loan's latest report row). A pass runs the duties due that day one
   * after the other, in minutes at most; a report re-sent in the middle of a pass counts from the
   * next pass. Cleared by `beginPass` / `endPass` (the close service calls them).
   */
  private readonly balanceMemo = new Map<string, Promise<Balances>>();

  beginPass(): void {
    this.balanceMemo.clear();
  }

  endPass(): void {
    this.balanceMemo.clear();
  }

  private balancesAsOf(date: string): Promise<Balances> {
    let p = this.balanceMemo.get(date);
    if (!p) {
      p = this.outstanding.asOf(date);
      p.catch(() => this.balanceMemo.delete(date));
      this.balanceMemo.set(date, p);
    }
    return p;
  }

  async run(duty: QuarterDuty, quarter: string, dueOn: string): Promise<DutyResult> {
    switch (duty) {
      case 'custody_fee':
        return this.reserve.takeCustodyFee(quarter);
      case 'reserve_band':
        return this.reserveBand(quarter);
      case 'bank_reports':
        return this.bankReports(quarter);
      case 'loss_rates':
        return this.applyLossRates(quarter, dueOn);
      case 'dormancy':
        return this.dormancy(quarter);
      case 'margin_requirements':
        return this.marginRequirements(quarter, dueOn);
      case 'margin_shortfall':
        return this.marginShortfall(quarter, dueOn);
      case 'placement':
        return this.placement(quarter);
      case 'ledger_close':
        return this.ledgerClose(quarter);
    }
  }

  /** RULES §8: the reserve against its 10%–15% band of the outstanding balance at the quarter end, for the budget. */
  private async reserveBand(quarter: string): Promise<DutyResult> {
    const asOf = quarterLastDay(quarter);
    const o = await this.reserve.overview(asOf, { outstandingTotal: (await this.balancesAsOf(asOf)).total });
    return { asOf: o.asOf, total: o.total, outstandingLoans: o.outstandingLoans, band: o.band, topUp: o.topUp, excess: o.excess, withinBand: o.withinBand };
  }

  /** RULES §9, B 第十条: the banks that filed the quarter's report late, and those with loans that filed none. */
  private async bankReports(quarter: string): Promise<DutyResult> {
    const filings = await this.loanAggregates.reportFilings(quarter);
    const filed = new Set(filings.map((f) => f.bankCode));
    const lending = await this.loanAggregates.lastDisbursementByBank(quarterLastDay(quarter));
    return {
      late: filings.filter((f) => f.late).map((f) => f.bankCode),
      missing: [...lending.keys()].filter((b) => !filed.has(b)).sort(),
      filed: filings.length,
    };
  }

  /**
   * RULES §6: every bank's and agency's loss rate as of the quarter end (approved − refunded −
   * written off, dated up to it, over the balance of the bank reports for it), stored per party,
   * and the band applied through the loss_rate reasons on `decidedOn`.
   */
  private async applyLossRates(quarter: string, decidedOn: string): Promise<DutyResult> {
    const asOf = quarterLastDay(quarter);
    const policy = this.policies.versionFor(asOf);
    const numerators = await this.claimTotals.lossRateNumerators(asOf);
    const balances = await this.balancesAsOf(asOf);
    const counts: Record<string, Record<string, number>> = {};
    const records: LossRateRecord[] = [];
    for (const type of ['bank', 'agency'] as const) {
      const parties = await this.lossRates.parties(type);
      const before = await this.lossRates.statuses(type);
      const open = await this.lossRates.withOpenLossRateReason(type);
      const nums = type === 'bank' ? numerators.banks : numerators.agencies;
      const bal = new Map(type === 'bank' ? balances.banks.map((b) => [b.bankCode, b.outstanding]) : balances.agencies.map((a) => [a.agencyCode, a.outstanding]));
      counts[type] = { normal: 0, warning: 0, severe: 0 };
      for (const p of parties) {
        const n = nums.get(p.code) ?? ZERO_NUMERATOR;
        const input = { approvedCompensation: n.approved, refunded: n.refunded, writtenOffCompensation: n.writtenOff, outstandingBalance: bal.get(p.code) ?? Money.ZERO };
        const a = type === 'bank' ? assessBankLossRate(input, policy) : assessAgencyLossRate(input, policy);
        counts[type][a.band] += 1;
        const statusBefore = before.get(p.code) ?? 'active';
        if (a.band !== 'normal' || open.has(p.code)) {
          await this.statuses.applyLossRateBandQuietly(type, p.code, { quarter, band: a.band, rate: a.rate, rateShown: a.ratePercent ?? 'undefined (zero balance)', decidedOn });
        }
        records.push({
          partyType: type,
          partyCode: p.code,
          approved: n.approved,
          refunded: n.refunded,
          writtenOff: n.writtenOff,
          numerator: a.netCompensation,
          balance: a.outstandingBalance,
          rate: a.rate,
          rateExact: a.exactRate ? a.exactRate.value.toFixed() : null,
          rateShown: a.ratePercent,
          band: a.band,
          statusBefore,
          statusAfter: statusBefore,
        });
      }
      const after = await this.lossRates.statuses(type);
      for (const r of records) if (r.partyType === type) r.statusAfter = after.get(r.partyCode) ?? r.statusBefore;
    }
    await this.lossRates.record(quarter, asOf, records);
    return { asOf, decidedOn, banks: counts.bank, agencies: counts.agency };
  }

  /**
   * RULES §6 (2026-12): banks with no disbursement for 3 years are proposed for disqualification,
   * agencies with no registration for 6 months are warned about — as of the quarter end, never
   * applied: the trustee confirms each with a reason.
   */
  private async dormancy(quarter: string): Promise<DutyResult> {
    const asOf = quarterLastDay(quarter);
    const policy = this.policies.versionFor(asOf);
    const lastDisbursed = await this.loanAggregates.lastDisbursementByBank(asOf);
    const lastRegistered = await this.loanAggregates.lastRegistrationByAgency(asOf);
    const rows: Partial<DormancyProposal>[] = [];
    const consider = (type: LossRateParty, p: PartyRow, last: string | null) => {
      const joinedOn = p.joinedOn ?? p.firstAgreementOn ?? p.createdOn;
      if (p.status === 'disqualified' || joinedOn > asOf) return;
      const check =
        type === 'bank'
          ? checkBankDormancy({ joinedOn, lastDisbursedOn: last, asOf }, policy)
          : checkAgencyDormancy({ joinedOn, lastBusinessOn: last, asOf }, policy);
      if (!check.disqualified) return;
      rows.push({
        quarter,
        partyType: type,
        partyCode: p.code,
        kind: type === 'bank' ? 'disqualification' : 'warning',
        dormantSince: check.dormantSince,
        dormantFrom: check.disqualifiedFrom,
        lastActivityOn: last,
        status: 'proposed',
      });
    };
    for (const p of await this.lossRates.parties('bank')) consider('bank', p, lastDisbursed.get(p.code) ?? null);
    for (const p of await this.lossRates.parties('agency')) consider('agency', p, lastRegistered.get(p.code) ?? null);
    if (rows.length) {
      await this.tx.run((m) => m.createQueryBuilder().insert().into(DormancyProposal).values(rows).orIgnore().execute());
    }
    return { asOf, banks: rows.filter((r) => r.partyType === 'bank').length, agencies: rows.filter((r) => r.partyType === 'agency').length };
  }

  /** RULES §7: every agency's requirement for the next quarter, fixed and stored. */
  private async marginRequirements(quarter: string, fixedOn: string): Promise<DutyResult> {
    const balances = await this.balancesAsOf(quarterLastDay(quarter));
    const rows = await this.margins.fix(nextQuarter(quarter), fixedOn, new Map(balances.agencies.map((a) => [a.agencyCode, a.outstanding])));
    return { forQuarter: nextQuarter(quarter), fixedOn, agencies: rows.length, reduced: rows.filter((r) => r.ratio.value.lessThan(0.3)).length };
  }

  /** RULES §7: after the 10th, the agencies still below their requirement get the margin_shortfall reason. */
  private async marginShortfall(quarter: string, on: string): Promise<DutyResult> {
    const rows = await this.margins.applyShortfalls(nextQuarter(quarter), on);
    const short = rows.filter((r) => r.shortfall.isPositive());
    return {
      forQuarter: nextQuarter(quarter),
      checkedOn: on,
      shortfalls: short.map((r) => ({ agencyCode: r.agencyCode, requirement: r.requirement.toString(), balance: r.balance.toString(), shortfall: r.shortfall.toString(), reasonAdded: r.reasonAdded })),
    };
  }

  /** RULES §8: the placement proposal of the quarter, stored for the approver. */
  private async placement(quarter: string): Promise<DutyResult> {
    const cycle = this.policies.versionFor(quarterLastDay(quarter)).placementCycle;
    if (cycle === 'yearly' && !quarter.endsWith('Q4')) {
      // RULES §11a: henan-2025 adjusts each bank's allocation yearly (每年动态调整): the proposal
      // comes with the close of the year's last quarter.
      return { placementId: null, skipped: `placement cycle ${cycle}: proposed with the close of the year's fourth quarter` };
    }
    try {
      const proposal = await this.placements.propose(quarter);
      return { placementId: proposal.id, total: proposal.total, transfers: proposal.transfers.length };
    } catch (error) {
      // Decision: data the scoring model refuses (e.g. more money locked than the reserve holds) leaves
      // the quarter without a proposal, said in the result, rather than holding up the period close
      // and every later quarter; the trustee can see why and propose by hand.
      if (error instanceof DomainError) return { placementId: null, refused: { code: error.code, message: error.message } };
      throw error;
    }
  }

  /** RULES §10: no entry dated in the quarter is accepted afterwards, in both books. */
  private async ledgerClose(quarter: string): Promise<DutyResult> {
    const out: DutyResult = {};
    for (const book of ['reserve', 'margin']) {
      await this.ledgerAccounts.ensureBook(book);
      const c = await this.ledgerAudit.closePeriod(book, quarter);
      out[book] = { closedThrough: c.closedThrough, lastSequence: c.lastSequence, headHash: c.headHash };
    }
    return out;
  }
}
