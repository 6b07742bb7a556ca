import { Injectable } from '@nestjs/common';
import { nextQuarter } from '../common/calendar/quarter';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { MarginRequirementsService, requirementOut } from '../agencies/margin-requirements.service';
import { PartyLossRatesService } from '../programme/party-loss-rates.service';
import { PartyStatusService } from '../programme/party-status.service';
import type { PartyLossRate } from '../programme/programme.entities';
import { DormancyProposal, QuarterDutyRow, QuarterRun } from './quarter-run.entity';
import { QUARTER_ERRORS } from './quarters.errors';

function lossRateRow(r: PartyLossRate) {
  return {
    numerator: r.numerator.toString(),
    balance: r.balance.toString(),
    rate: r.rate?.toString() ?? null,
    rateShown: r.rateShown,
    band: r.band,
    status: r.statusAfter,
    statusBefore: r.statusBefore,
    approved: r.approved.toString(),
    refunded: r.refunded.toString(),
    writtenOff: r.writtenOff.toString(),
  };
}

export function proposalOut(p: DormancyProposal) {
  return {
    id: p.id,
    quarter: p.quarter,
    partyType: p.partyType,
    partyCode: p.partyCode,
    kind: p.kind,
    dormantSince: p.dormantSince,
    dormantFrom: p.dormantFrom,
    lastActivityOn: p.lastActivityOn,
    status: p.status,
    confirmedOn: p.confirmedOn,
    confirmReason: p.confirmReason,
  };
}

export type QuarterView = Awaited<ReturnType<QuarterViewService['view']>>;

/**
 * What GET /v1/quarters/{q} shows (API.md "Reserve, quarters, ledger"): the run, each duty with its
 * status while it runs, and the results — read from the run rows and from the tables of the
 * modules that own them (loss rates, margin requirements, the placement proposal).
 */
@Injectable()
export class QuarterViewService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly lossRates: PartyLossRatesService,
    private readonly margins: MarginRequirementsService,
    private readonly statuses: PartyStatusService,
    private readonly clock: Clock,
  ) {}

  /** Every quarter with a close (started or done), oldest first, with its status: the console's list (issue 17). */
  async list(): Promise<{ quarter: string; status: string; startedAt: string }[]> {
    const runs = await this.tx.manager.find(QuarterRun, { order: { quarter: 'ASC' } });
    return runs.map((r) => ({ quarter: r.quarter, status: r.status, startedAt: r.startedAt.toISOString() }));
  }

  async view(quarter: string) {
    const m = this.tx.manager;
    const run = await m.findOne(QuarterRun, { where: { quarter } });
    if (!run) throw DomainError.notFound(QUARTER_ERRORS.NOT_FOUND, `Quarter ${quarter} has no close yet.`);
    const duties = await m.find(QuarterDutyRow, { where: { quarter }, order: { position: 'ASC' } });
    const result = (d: string) => duties.find((x) => x.duty === d && x.status === 'done')?.result ?? null;
    const custody = result('custody_fee');
    const reports = result('bank_reports');
    const shortfall = result('margin_shortfall') as { shortfalls?: { agencyCode: string; balance: string; shortfall: string }[] } | null;
    const short = new Map((shortfall?.shortfalls ?? []).map((s) => [s.agencyCode, s]));
    const requirements = (await this.margins.ofQuarter(nextQuarter(quarter))).map((r) => {
      const out = requirementOut(r);
      const s = short.get(r.agencyCode);
      return shortfall ? { ...out, balance: s?.balance ?? out.balance, shortfall: s?.shortfall ?? '0.00', checkedOn: (shortfall as { checkedOn?: string }).checkedOn ?? null } : out;
    });
    const placement = result('placement') as { placementId?: string } | null;
    return {
      quarter,
      status: run.status,
      startedBy: run.startedBy,
      startedAt: run.startedAt.toISOString(),
      finishedAt: run.finishedAt?.toISOString() ?? null,
      duties: duties.map((d) => ({
        duty: d.duty,
        status: d.status,
        dueOn: d.dueOn,
        attempts: d.attempts,
        startedAt: d.startedAt?.toISOString() ?? null,
        finishedAt: d.finishedAt?.toISOString() ?? null,
        error: d.error,
      })),
      lossRates: {
        banks: (await this.lossRates.ofQuarter('bank', quarter)).map((r) => ({ bankCode: r.partyCode, ...lossRateRow(r) })),
        agencies: (await this.lossRates.ofQuarter('agency', quarter)).map((r) => ({ agencyCode: r.partyCode, ...lossRateRow(r) })),
      },
      custodyFee: custody
        ? {
            total: custody.total,
            fromInterest: custody.fromInterest,
            fromPrincipal: custody.fromPrincipal,
            interestToPrincipal: custody.interestToPrincipal,
            reserveTotal: custody.reserveTotal,
            quarterInterest: custody.quarterInterest,
            interestNotHeld: custody.interestNotHeld ?? '0.00',
            banks: custody.banks,
            entryIds: custody.entryIds,
          }
        : null,
      marginRequirements: requirements,
      placementId: placement?.placementId ?? null,
      reports: reports ? { late: reports.late as string[], missing: reports.missing as string[] } : null,
      reserveBand: result('reserve_band'),
      dormancy: (await m.find(DormancyProposal, { where: { quarter }, order: { partyType: 'ASC', partyCode: 'ASC' } })).map(proposalOut),
      ledgerClose: result('ledger_close'),
    };
  }

  /**
   * The trustee confirms a dormancy proposal with a reason (RULES §6, 2026-12): the party gets a
   * `disqualified` reason from `effectiveOn` (default today). Confirming twice → 409.
   */
  async confirmDormancy(quarter: string, id: string, input: { reason: string; effectiveOn?: string }) {
    return this.tx.run(async (m) => {
      const p = /^[0-9a-f-]{36}$/.test(id) ? await m.findOne(DormancyProposal, { where: { id, quarter }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!p) throw DomainError.notFound(QUARTER_ERRORS.PROPOSAL_NOT_FOUND, `No dormancy proposal ${id} in ${quarter}.`);
      if (p.status === 'confirmed') throw DomainError.conflict(QUARTER_ERRORS.PROPOSAL_CONFIRMED, `The proposal was confirmed on ${p.confirmedOn}.`);
      const on = input.effectiveOn ?? this.clock.today();
      await this.statuses.addReason(p.partyType, p.partyCode, {
        source: 'disqualified',
        status: 'disqualified',
        reason: `${p.kind === 'disqualification' ? 'no disbursement' : 'no registration'} since ${p.dormantSince} (RULES §6, quarter ${quarter}): ${input.reason}`,
        startedOn: on,
        quarter,
      });
      await m.update(DormancyProposal, { id: p.id }, { status: 'confirmed', confirmedOn: on, confirmReason: input.reason });
      return proposalOut(await m.findOneOrFail(DormancyProposal, { where: { id: p.id } }));
    });
  }
}
