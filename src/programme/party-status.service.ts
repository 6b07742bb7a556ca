import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull } from 'typeorm';
import { quarterOf } from '../common/calendar/quarter';
import { assertEventDates } from '../common/calendar/event-dates';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import type { Rate } from '../common/money/rate';
import {
  type FuseBand,
  type PartyStatus,
  type ReasonSource,
  type ReasonStatus,
  type StatusReason,
  planLossRateReasons,
  quarterlyHistory,
  statusFromReasons,
} from './domain/party-status';
import { Agency, Bank, PartyStatusChange, PartyStatusReason } from './programme.entities';
import { PROGRAMME_ERRORS, programmeErrors } from './programme.errors';

export type PartyType = 'bank' | 'agency';

export interface NewReason {
  source: ReasonSource;
  status: ReasonStatus;
  reason: string;
  startedOn: string;
  quarter?: string | null;
  lossRate?: Rate | null;
}

export function reasonOut(r: PartyStatusReason) {
  return {
    id: r.id,
    source: r.source,
    status: r.status,
    reason: r.reason,
    quarter: r.quarter,
    lossRate: r.lossRate?.toString() ?? null,
    startedOn: r.startedOn,
    endedOn: r.endedOn,
    liftReason: r.liftReason,
  };
}

const plain = (r: PartyStatusReason): StatusReason => ({ id: r.id, source: r.source, status: r.status, reason: r.reason, quarter: r.quarter, startedOn: r.startedOn, endedOn: r.endedOn });

/**
 * The status of banks and agencies from its reasons (RULES §6, revised 2026-12). Each reason has
 * a source — `loss_rate` (set and lifted by quarter closes, `applyLossRateBand`), `margin_shortfall`
 * (the agencies module), `manual` (a trustee's decision with a text) or `disqualified` — and a start
 * and an end. The party's status on a date is the strongest reason in force then; lifting one never
 * weakens a stronger one. The party row keeps the current status (for lists), and every change of it
 * is written to party_status_changes (the status history).
 */
@Injectable()
export class PartyStatusService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly clock: Clock,
  ) {}

  private async reasonsOf(m: EntityManager, type: PartyType, code: string): Promise<PartyStatusReason[]> {
    return m.find(PartyStatusReason, { where: { partyType: type, partyCode: code }, order: { startedOn: 'ASC', createdAt: 'ASC' } });
  }

  private async lockParty(m: EntityManager, type: PartyType, code: string): Promise<Bank | Agency> {
    const party = await m.getRepository(type === 'bank' ? Bank : Agency).findOne({ where: { code }, lock: { mode: 'pessimistic_write' } });
    if (!party) throw type === 'bank' ? programmeErrors.bankNotFound(code) : programmeErrors.agencyNotFound(code);
    return party;
  }

  /** The status in force on `date` and the reason that decides it (`active` with none). */
  async statusOn(type: PartyType, code: string, date: string, manager?: EntityManager): Promise<{ status: PartyStatus; reason: string | null; since: string | null; source: ReasonSource | null }> {
    const { status, reason } = statusFromReasons(await this.reasonsOf(manager ?? this.tx.manager, type, code), date);
    return { status, reason: reason?.reason ?? null, since: reason?.startedOn ?? null, source: reason?.source ?? null };
  }

  /** Recomputes the current status from the open reasons; records a change in the history. */
  private async recompute(m: EntityManager, type: PartyType, party: Bank | Agency, on: string, liftText?: string): Promise<void> {
    const reasons = await this.reasonsOf(m, type, party.code);
    const { status, reason } = statusFromReasons(reasons, this.clock.today() > on ? this.clock.today() : on);
    // With no reason in force the party is active; the text that lifted the last one says why.
    const statusReason = reason ? reason.reason : (liftText ?? null);
    const since = reason ? reason.startedOn : on;
    if (status === party.status && statusReason === party.statusReason) return;
    await m.update(type === 'bank' ? Bank : Agency, { code: party.code }, { status, statusReason, statusSince: since });
    if (status !== party.status) {
      await m.insert(PartyStatusChange, { partyType: type, partyCode: party.code, status, reason: reason ? `${reason.source}: ${reason.reason}` : (liftText ?? 'no reason in force'), since });
    }
  }

  /** Adds a reason (in the caller's transaction when there is one). */
  async addReason(type: PartyType, code: string, input: NewReason): Promise<PartyStatusReason> {
    assertEventDates(this.clock.today(), [{ field: 'startedOn', date: input.startedOn }]);
    return this.tx.run(async (m) => {
      const party = await this.lockParty(m, type, code);
      const saved = await m.save(
        m.create(PartyStatusReason, { partyType: type, partyCode: code, ...input, quarter: input.quarter ?? null, lossRate: input.lossRate ?? null, endedOn: null, liftReason: null, liftedAt: null }),
      );
      await this.recompute(m, type, party, input.startedOn);
      return m.findOneOrFail(PartyStatusReason, { where: { id: saved.id } });
    });
  }

  /** Lifts a reason from `endedOn` with a text; a reason lifted already, or of another party, is refused. */
  async liftReason(type: PartyType, code: string, reasonId: string, input: { endedOn: string; reason: string }, sources?: readonly ReasonSource[]): Promise<PartyStatusReason> {
    return this.tx.run(async (m) => {
      const party = await this.lockParty(m, type, code);
      const r = /^[0-9a-f-]{36}$/.test(reasonId) ? await m.findOne(PartyStatusReason, { where: { id: reasonId, partyType: type, partyCode: code } }) : null;
      if (!r) throw DomainError.notFound(PROGRAMME_ERRORS.STATUS_REASON_NOT_FOUND, `No status reason ${reasonId} for ${type} ${code}.`);
      if (sources && !sources.includes(r.source)) {
        throw DomainError.rule(PROGRAMME_ERRORS.STATUS_REASON_NOT_LIFTABLE, `A ${r.source} reason is lifted by its own process, not by hand.`, [
          { code: PROGRAMME_ERRORS.STATUS_REASON_NOT_LIFTABLE, field: 'reasonId', message: `source ${r.source}; by hand: ${sources.join(', ')}` },
        ]);
      }
      if (r.endedOn) throw DomainError.conflict(PROGRAMME_ERRORS.STATUS_REASON_ALREADY_LIFTED, `The reason was lifted on ${r.endedOn}.`);
      assertEventDates(this.clock.today(), [{ field: 'endedOn', date: input.endedOn }], [{ field: 'endedOn', date: input.endedOn, notBefore: { field: 'startedOn', date: r.startedOn } }]);
      await m.update(PartyStatusReason, { id: r.id }, { endedOn: input.endedOn, liftReason: input.reason, liftedAt: new Date() });
      await this.recompute(m, type, party, input.endedOn, input.reason);
      return m.findOneOrFail(PartyStatusReason, { where: { id: r.id } });
    });
  }

  /** Lifts every open reason of one source (e.g. a margin shortfall made good). Returns how many. */
  async liftSource(type: PartyType, code: string, source: ReasonSource, input: { endedOn: string; reason: string }): Promise<number> {
    return this.tx.run(async (m) => {
      const party = await this.lockParty(m, type, code);
      const open = await m.find(PartyStatusReason, { where: { partyType: type, partyCode: code, source, endedOn: IsNull() } });
      for (const r of open) {
        await m.update(PartyStatusReason, { id: r.id }, { endedOn: input.endedOn < r.startedOn ? r.startedOn : input.endedOn, liftReason: input.reason, liftedAt: new Date() });
      }
      if (open.length) await this.recompute(m, type, party, input.endedOn, input.reason);
      return open.length;
    });
  }

  /**
   * For the quarter close (RULES §6): applies a party's loss-rate band for a quarter — below the
   * threshold the open loss_rate reasons are lifted; in the 4–6% band a `suspended_new` reason is
   * kept or started, above 6% a `suspended_focus` one — on `decidedOn`. Other reasons are not
   * touched, so a disqualified party stays disqualified whatever its loss rate.
   */
  async applyLossRateBand(type: PartyType, code: string, input: { quarter: string; band: FuseBand; rate: Rate | null; rateShown: string; decidedOn: string }) {
    const plan = await this.applyLossRateBandQuietly(type, code, input);
    return { ...plan, view: await this.view(type, code) };
  }

  /** As applyLossRateBand, without reading the party's view back (the quarter close reads every status at once afterwards). */
  async applyLossRateBandQuietly(type: PartyType, code: string, input: { quarter: string; band: FuseBand; rate: Rate | null; rateShown: string; decidedOn: string }) {
    return this.tx.run(async (m) => {
      await this.lockParty(m, type, code);
      const open = (await this.reasonsOf(m, type, code)).filter((r) => r.endedOn === null);
      const plan = planLossRateReasons(open, input.band);
      for (const id of plan.lift) {
        await this.liftReason(type, code, id, { endedOn: input.decidedOn, reason: `loss rate ${input.rateShown} for ${input.quarter}: band ${input.band}` });
      }
      if (plan.start) {
        await this.addReason(type, code, {
          source: 'loss_rate',
          status: plan.start,
          reason: `loss rate ${input.rateShown} for ${input.quarter}: band ${input.band} (RULES §6)`,
          startedOn: input.decidedOn,
          quarter: input.quarter,
          lossRate: input.rate,
        });
      }
      return plan;
    });
  }

  /**
   * The older `POST /v1/{banks|agencies}/{code}/status` (kept for its clients): a non-active status
   * adds a reason (`disqualified` for that status, else `manual`); `active` lifts every manual
   * reason in force (never a loss-rate, margin or disqualification reason).
   */
  async setStatusByHand(type: PartyType, code: string, input: { status: PartyStatus; reason: string; since: string }): Promise<void> {
    if (input.status === 'active') {
      await this.liftSource(type, code, 'manual', { endedOn: input.since, reason: input.reason });
    } else {
      await this.addReason(type, code, { source: input.status === 'disqualified' ? 'disqualified' : 'manual', status: input.status, reason: input.reason, startedOn: input.since });
    }
  }

  /** Status, the reasons in force, every reason with its dates, and the status per quarter. */
  async view(type: PartyType, code: string) {
    const m = this.tx.manager;
    const party = await m.findOne(type === 'bank' ? Bank : Agency, { where: { code } });
    if (!party) throw type === 'bank' ? programmeErrors.bankNotFound(code) : programmeErrors.agencyNotFound(code);
    const reasons = await this.reasonsOf(m, type, code);
    const today = this.clock.today();
    const open = reasons.filter((r) => r.endedOn === null || r.endedOn > today);
    return {
      code,
      status: party.status,
      reasonsInForce: open.map(reasonOut),
      reasons: reasons.map(reasonOut),
      quarters: quarterlyHistory(reasons.map(plain), today),
      asOf: today,
      quarter: quarterOf(today),
    };
  }

  /** The reasons in force today, for the party views. */
  async reasonsInForce(type: PartyType, code: string) {
    const today = this.clock.today();
    const reasons = await this.reasonsOf(this.tx.manager, type, code);
    return reasons.filter((r) => r.startedOn <= today && (r.endedOn === null || r.endedOn > today)).map(reasonOut);
  }

  /** The parties of a type with a reason of `source` for `quarter` not yet lifted (one query). */
  async partiesWithOpenReason(type: PartyType, source: ReasonSource, quarter: string): Promise<Set<string>> {
    const rows = await this.tx.manager.find(PartyStatusReason, { select: { partyCode: true }, where: { partyType: type, source, quarter, endedOn: IsNull() } });
    return new Set(rows.map((r) => r.partyCode));
  }

  async statusHistory(type: PartyType, code: string) {
    await this.view(type, code);
    const rows = await this.tx.manager.find(PartyStatusChange, { where: { partyType: type, partyCode: code }, order: { since: 'ASC', id: 'ASC' } });
    return rows.map((r) => ({ status: r.status, reason: r.reason, since: r.since, quarter: quarterOf(r.since), recordedAt: r.recordedAt.toISOString() }));
  }
}
