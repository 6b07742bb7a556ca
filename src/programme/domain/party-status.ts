import { nextQuarter, quarterLastDay, quarterOf } from '../../common/calendar/quarter';

/**
 * Status of a partner bank or an agency (RULES §6): `active`; `suspended_new` (no new loans;
 * renewals after a risk review); `suspended_focus` (no new loans, on the risk group's watch list);
 * `disqualified`.
 */
export const PARTY_STATUSES = ['active', 'suspended_new', 'suspended_focus', 'disqualified'] as const;
export type PartyStatus = (typeof PARTY_STATUSES)[number];
export type ReasonStatus = Exclude<PartyStatus, 'active'>;

/** Where a reason comes from (RULES §6, revised 2026-12). */
export const REASON_SOURCES = ['loss_rate', 'margin_shortfall', 'manual', 'disqualified'] as const;
export type ReasonSource = (typeof REASON_SOURCES)[number];

/** Strength of each status: the party's status is the strongest reason in force. */
export const STATUS_STRENGTH: Readonly<Record<PartyStatus, number>> = { active: 0, suspended_new: 1, suspended_focus: 2, disqualified: 3 };

/** One reason for a status, in force from `startedOn` until the day before `endedOn` (null: still). */
export interface StatusReason {
  id: string;
  source: ReasonSource;
  status: ReasonStatus;
  reason: string;
  quarter: string | null;
  startedOn: string;
  endedOn: string | null;
}

/** The reasons in force on `date`: started on or before it and not yet lifted (lifted on `endedOn`). */
export function reasonsInForce<T extends Pick<StatusReason, 'startedOn' | 'endedOn'>>(reasons: readonly T[], date: string): T[] {
  return reasons.filter((r) => r.startedOn <= date && (r.endedOn === null || r.endedOn > date));
}

/**
 * The status on `date` (RULES §6): the strongest reason in force — disqualified > suspended_focus >
 * suspended_new > active — ties going to the one that started last. Lifting one reason never
 * weakens a stronger one that still holds: a disqualified agency whose margin shortfall is lifted
 * stays disqualified. Example: reasons {disqualified from 2025-03-01, margin_shortfall
 * 2025-04-01 – 2025-05-10} → on 2025-05-20 `disqualified`.
 */
export function statusFromReasons<T extends Pick<StatusReason, 'status' | 'startedOn' | 'endedOn'>>(
  reasons: readonly T[],
  date: string,
): { status: PartyStatus; reason: T | null } {
  let best: T | null = null;
  for (const r of reasonsInForce(reasons, date)) {
    if (!best || STATUS_STRENGTH[r.status] > STATUS_STRENGTH[best.status] || (STATUS_STRENGTH[r.status] === STATUS_STRENGTH[best.status] && r.startedOn >= best.startedOn)) {
      best = r;
    }
  }
  return { status: best ? best.status : 'active', reason: best };
}

/** The fuse band of a loss rate (RULES §6), as risk/domain/loss-rate.calculator.ts decides it. */
export type FuseBand = 'normal' | 'warning' | 'severe';

/**
 * The status a loss-rate band sets (RULES §6 table): warning → `suspended_new` (banks and
 * agencies: no new loans, renewals after risk review); severe → `suspended_focus` (a bank on the
 * watch list; an agency's registration suspended and on the watch list); normal → none.
 */
export function lossRateStatus(band: FuseBand): ReasonStatus | null {
  return band === 'warning' ? 'suspended_new' : band === 'severe' ? 'suspended_focus' : null;
}

export interface LossRatePlan {
  /** Open loss-rate reasons to lift on the close's date. */
  lift: string[];
  /** The loss-rate reason to start, or null (none needed, or the open one already says it). */
  start: ReasonStatus | null;
}

/**
 * What a quarter close does with a party's loss-rate reasons (RULES §6: "set by each quarter close
 * and lifted by a later close under the threshold"): below the threshold, lift the open ones; in
 * a band, keep an open reason of that band's status, or lift a different one and start the band's.
 * Other sources are never touched. Example: open loss_rate suspended_new, band severe → lift it,
 * start suspended_focus.
 */
export function planLossRateReasons(open: readonly Pick<StatusReason, 'id' | 'source' | 'status'>[], band: FuseBand): LossRatePlan {
  const own = open.filter((r) => r.source === 'loss_rate');
  const wanted = lossRateStatus(band);
  if (!wanted) return { lift: own.map((r) => r.id), start: null };
  const keep = own.find((r) => r.status === wanted);
  return { lift: own.filter((r) => r !== keep).map((r) => r.id), start: keep ? null : wanted };
}

export interface QuarterStatus {
  quarter: string;
  /** The status at the quarter's last day (or today for the running quarter). */
  status: PartyStatus;
  /** The sources of the reasons in force then. */
  sources: ReasonSource[];
}

/**
 * The status per quarter (RULES §6 "history is kept per quarter"), from the quarter of the first
 * reason to the quarter of `today`: the status at each quarter end (today for the current one).
 */
export function quarterlyHistory(reasons: readonly StatusReason[], today: string): QuarterStatus[] {
  if (reasons.length === 0) return [];
  const first = reasons.reduce((a, r) => (r.startedOn < a ? r.startedOn : a), reasons[0].startedOn);
  const out: QuarterStatus[] = [];
  const last = quarterOf(today);
  for (let q = quarterOf(first); ; q = nextQuarter(q)) {
    const on = q === last ? today : quarterLastDay(q);
    const inForce = reasonsInForce(reasons, on);
    out.push({ quarter: q, status: statusFromReasons(reasons, on).status, sources: [...new Set(inForce.map((r) => r.source))] });
    if (q === last || out.length > 400) break;
  }
  return out;
}
