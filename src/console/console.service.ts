import { Injectable } from '@nestjs/common';
import { AuthService } from '../auth/auth.service';
import type { Principal } from '../common/access/principal';
import { previousQuarter, quarterOf } from '../common/calendar';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import { AgencyMarginService } from '../agencies/agency-margin.service';
import { ClaimsService } from '../claims/claims.service';
import { PartiesService } from '../programme/parties.service';
import { PartyLossRatesService } from '../programme/party-loss-rates.service';
import { PartyStatusService } from '../programme/party-status.service';
import { QuarterCloseService } from '../quarters/quarter-close.service';
import { QuarterViewService } from '../quarters/quarter-view.service';
import { ReserveService } from '../reserve/reserve.service';

const ALL = 1000;

/**
 * The aggregates the console's pages show (issue 17 item 1; docs/console.md), each one call,
 * computed by the owners' services so the browser only draws: the overview (reserve against the
 * band with bank names, this quarter's duties), risk (loss rates over the quarters and statuses
 * with their reasons), the claims pipeline (plus the agencies' overdue margin top-ups) and the
 * quarters with their closes.
 */
@Injectable()
export class ConsoleService {
  constructor(
    private readonly reserve: ReserveService,
    private readonly parties: PartiesService,
    private readonly lossRates: PartyLossRatesService,
    private readonly statuses: PartyStatusService,
    private readonly claims: ClaimsService,
    private readonly margins: AgencyMarginService,
    private readonly quarters: QuarterViewService,
    private readonly close: QuarterCloseService,
    private readonly clock: Clock,
    private readonly auth: AuthService,
    private readonly tx: TransactionScope,
  ) {}

  async overview(principal?: Principal) {
    const reserve = await this.reserve.overview(undefined, { principal });
    const banks = (await this.parties.listBanks(ALL)).items;
    const byCode = new Map(banks.map((b) => [b.code, b]));
    const today = this.clock.today();
    // The close that falls in this quarter is the previous quarter's (its duties run in this one).
    const closing = previousQuarter(quarterOf(today));
    const due = this.close.dueDates(closing);
    const run = await this.quarters.view(closing).catch((e: unknown) => {
      if (e instanceof DomainError && e.kind === 'not_found') return null;
      throw e;
    });
    const done = new Map((run?.duties ?? []).map((d) => [d.duty, d]));
    return {
      ...reserve,
      banks: reserve.banks.map((b) => ({ ...b, bankName: byCode.get(b.bankCode)?.name ?? null, status: byCode.get(b.bankCode)?.status ?? null, lossRate: byCode.get(b.bankCode)?.lossRate ?? null })),
      duties: {
        quarter: closing,
        status: run?.status ?? 'not_started',
        items: Object.entries(due).map(([duty, dueOn]) => ({ duty, dueOn, status: done.get(duty)?.status ?? 'pending', finishedAt: done.get(duty)?.finishedAt ?? null, overdue: dueOn < today && done.get(duty)?.status !== 'done' })),
      },
    };
  }

  /**
   * Who the token ids of a record's steps are (the claim drill-down's "by"): role and party for
   * everyone; the label (usually the person's name) for the programme-wide roles only, so a bank's
   * staff see that the trustee reviewed their claim, not who at the trustee did.
   */
  async actors(ids: readonly string[], principal?: Principal) {
    const wide = !principal || !['bank', 'agency'].includes(principal.role);
    return { items: (await this.auth.describe(ids, this.tx.manager)).map((a) => ({ id: a.id, role: a.role, partyCode: a.partyCode, label: wide ? a.label : null })) };
  }

  async risk() {
    const party = async (type: 'bank' | 'agency', p: { code: string; name: string; status: string; lossRate: string | null; lossRateQuarter: string | null }) => ({
      code: p.code,
      name: p.name,
      status: p.status,
      lossRate: p.lossRate,
      lossRateQuarter: p.lossRateQuarter,
      reasons: (await this.statuses.reasonsInForce(type, p.code)).map((r) => ({ source: r.source, status: r.status, reason: r.reason, startedOn: r.startedOn, quarter: r.quarter })),
      history: (await this.lossRates.history(type, p.code)).map((h) => ({ quarter: h.quarter, rate: h.rate?.toString() ?? null, rateShown: h.rateShown, band: h.band, numerator: h.numerator.toString(), balance: h.balance.toString(), statusAfter: h.statusAfter })),
    });
    const banks = (await this.parties.listBanks(ALL)).items;
    const agencies = (await this.parties.listAgencies(ALL)).items;
    const out = { banks: [] as Awaited<ReturnType<typeof party>>[], agencies: [] as Awaited<ReturnType<typeof party>>[] };
    for (const b of banks) out.banks.push(await party('bank', b));
    for (const a of agencies) out.agencies.push(await party('agency', a));
    const quarters = [...new Set([...out.banks, ...out.agencies].flatMap((p) => p.history.map((h) => h.quarter)))].sort();
    return { asOf: this.clock.today(), lines: { warning: '0.04', severe: '0.06' }, quarters, ...out };
  }

  async pipeline(principal?: Principal) {
    const pipeline = await this.claims.pipeline(principal);
    const programmeWide = principal?.role !== 'bank' && principal?.role !== 'agency';
    const agencies = programmeWide ? (await this.parties.listAgencies(ALL)).items : [];
    const marginTopUpsOverdue = [];
    for (const a of agencies) {
      const m = await this.margins.view(a.code);
      if (m.topUpDueOn && m.topUpDueOn < pipeline.asOf && Money.parse(m.shortfall).isPositive()) marginTopUpsOverdue.push({ agencyCode: a.code, agencyName: a.name, shortfall: m.shortfall, topUpDueOn: m.topUpDueOn });
    }
    return { ...pipeline, marginTopUpsOverdue };
  }

  async quarterList() {
    const list = await this.quarters.list();
    const out = [];
    for (const q of list) out.push(await this.quarters.view(q.quarter));
    return { items: out };
  }
}
