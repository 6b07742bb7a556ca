import { Injectable } from '@nestjs/common';
import { previousQuarter, quarterLastDay } from '../common/calendar/quarter';
import { TransactionScope } from '../common/database/transaction-scope';
import { Money } from '../common/money/money';
import { Rate } from '../common/money/rate';
import { LedgerAccountsService } from '../ledger/ledger-accounts.service';
import { OutstandingService } from '../loans/outstanding.service';
import { PartyLossRatesService } from '../programme/party-loss-rates.service';
import { PartyStatusService } from '../programme/party-status.service';
import { PolicyService } from '../programme/policy.service';
import { AgencyMarginRequirement } from './agency-margin-requirement.entity';
import { MARGIN_BOOK } from './domain/margin-book';
import { MARGIN_STATUS_REASONS } from './domain/margin.errors';
import { computeMarginRequirement } from './domain/margin-requirement.calculator';

const HELD_PREFIX = 'margin:held:';

export interface MarginShortfallRow {
  agencyCode: string;
  requirement: Money;
  balance: Money;
  shortfall: Money;
  reasonAdded: boolean;
}

export function requirementOut(r: AgencyMarginRequirement) {
  return {
    agencyCode: r.agencyCode,
    quarter: r.quarter,
    basisQuarterEnd: r.basisQuarterEnd,
    reviewedBalance: r.reviewedBalance.toString(),
    feesReceivable: r.feesReceivable.toString(),
    lossRate: r.lossRate?.toString() ?? null,
    lossRateQuarter: r.lossRateQuarter,
    ratio: r.ratio.toFixed(2),
    requirement: r.requirement.toString(),
    balance: r.balanceAtFixing.toString(),
    shortfall: r.requirement.minus(r.balanceAtFixing).max(Money.ZERO).toString(),
    fixedOn: r.fixedOn,
  };
}

/**
 * Business-margin requirements fixed once per quarter (RULES §7, 2026-12; A 第十八条(三)): the
 * quarter close of Q fixes every agency's requirement for Q+1 on its reviewed balance at Q's end,
 * 30% of the fees receivable, or 20% for an agency more than 3 years in the programme whose loss
 * rate published by that close is below 2% (on the exact rate). After the 10th, an agency still
 * below its requirement gets the `margin_shortfall` reason until a deposit brings it up.
 */
@Injectable()
export class MarginRequirementsService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly ledgerAccounts: LedgerAccountsService,
    private readonly outstanding: OutstandingService,
    private readonly lossRates: PartyLossRatesService,
    private readonly statuses: PartyStatusService,
    private readonly policies: PolicyService,
  ) {}

  /** Margin held per agency as of a date (0.00 for an agency without an account). */
  async heldBalances(asOf: string): Promise<Map<string, Money>> {
    const rows = await this.ledgerAccounts.balancesByPrefix(MARGIN_BOOK, HELD_PREFIX, asOf);
    return new Map(rows.map((r) => [r.code.slice(HELD_PREFIX.length), r.balance]));
  }

  /**
   * Fixes the requirement of every agency for `quarter` (once: an agency's stored row is kept),
   * on `fixedOn`. The loss rate is the one published for the previous quarter (the close that
   * fixes the requirement); an agency without one gets the standard ratio. `reviewedBalances`: the
   * agencies' balances at the previous quarter's end, when the caller has them.
   */
  async fix(quarter: string, fixedOn: string, reviewedBalances?: ReadonlyMap<string, Money>): Promise<AgencyMarginRequirement[]> {
    const basisQuarter = previousQuarter(quarter);
    const basisQuarterEnd = quarterLastDay(basisQuarter);
    return this.tx.run(async (m) => {
      const policy = this.policies.versionFor(fixedOn);
      const agencies = await this.lossRates.parties('agency');
      // The quarter close passes the balances it has already aggregated as of the same quarter end.
      const balances = reviewedBalances ?? new Map((await this.outstanding.asOf(basisQuarterEnd)).agencies.map((a) => [a.agencyCode, a.outstanding]));
      const published = new Map((await this.lossRates.ofQuarter('agency', basisQuarter)).map((r) => [r.partyCode, r]));
      const held = await this.heldBalances(fixedOn);
      const rows: AgencyMarginRequirement[] = [];
      for (const a of agencies) {
        const rate = published.get(a.code);
        const exact = rate?.rateExact ? Rate.of(rate.rateExact) : null;
        const result = computeMarginRequirement(
          {
            reviewedBalancePreviousQuarter: balances.get(a.code) ?? Money.ZERO,
            feeRateAnnual: Rate.of(a.feeRate ?? '0'),
            joinedOn: a.joinedOn ?? a.createdOn,
            asOf: fixedOn,
            lossRate: exact,
            marginBalance: held.get(a.code) ?? Money.ZERO,
          },
          policy,
        );
        rows.push(
          m.create(AgencyMarginRequirement, {
            agencyCode: a.code,
            quarter,
            basisQuarterEnd,
            reviewedBalance: balances.get(a.code) ?? Money.ZERO,
            feeRate: Rate.of(a.feeRate ?? '0'),
            feesReceivable: result.feesReceivable,
            lossRate: rate?.rate ?? null,
            lossRateQuarter: rate ? basisQuarter : null,
            ratio: result.ratio,
            requirement: result.requirement,
            balanceAtFixing: held.get(a.code) ?? Money.ZERO,
            breakdown: result.breakdown,
            fixedOn,
          }),
        );
      }
      for (let i = 0; i < rows.length; i += 500) {
        await m.createQueryBuilder().insert().into(AgencyMarginRequirement).values(rows.slice(i, i + 500)).orIgnore().execute();
      }
      return this.ofQuarter(quarter);
    });
  }

  async ofQuarter(quarter: string): Promise<AgencyMarginRequirement[]> {
    return this.tx.manager.find(AgencyMarginRequirement, { where: { quarter }, order: { agencyCode: 'ASC' } });
  }

  /** The requirement fixed for an agency for a quarter, or null when no close fixed one. */
  async stored(agencyCode: string, quarter: string): Promise<AgencyMarginRequirement | null> {
    return this.tx.manager.findOne(AgencyMarginRequirement, { where: { agencyCode, quarter } });
  }

  /**
   * After the 10th (RULES §7): every agency whose margin held on `on` is below its requirement for
   * `quarter` gets a `margin_shortfall` reason from `on` (unless it has one for this quarter open).
   */
  async applyShortfalls(quarter: string, on: string): Promise<MarginShortfallRow[]> {
    return this.tx.run(async () => {
      const held = await this.heldBalances(on);
      const open = await this.statuses.partiesWithOpenReason('agency', 'margin_shortfall', quarter);
      const out: MarginShortfallRow[] = [];
      for (const r of await this.ofQuarter(quarter)) {
        const balance = held.get(r.agencyCode) ?? Money.ZERO;
        const shortfall = r.requirement.minus(balance).max(Money.ZERO);
        let reasonAdded = false;
        if (shortfall.isPositive()) {
          const text = `${MARGIN_STATUS_REASONS.BELOW_REQUIREMENT}: ${balance.toString()} held on ${on}, below the requirement ${r.requirement.toString()} for ${quarter} (RULES §7)`;
          if (!open.has(r.agencyCode)) {
            await this.statuses.addReason('agency', r.agencyCode, { source: 'margin_shortfall', status: 'suspended_new', reason: text, startedOn: on, quarter });
            reasonAdded = true;
          }
        }
        out.push({ agencyCode: r.agencyCode, requirement: r.requirement, balance, shortfall, reasonAdded });
      }
      return out;
    });
  }
}
