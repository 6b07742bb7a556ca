import { Money } from '../../common/money/money';

export type MarginEventKind = 'deposit' | 'withdrawal' | 'deduction' | 'shortfall_settlement';

/** The part of a margin event the open-shortfall rule reads. */
export interface MarginEventFacts {
  kind: MarginEventKind;
  amount: Money;
  shortfall: Money | null;
  topUpDueOn: string | null;
}

export interface OpenShortfall {
  /** Deduction shortfalls not yet made good (0.00 when none). */
  amount: Money;
  /** The top-up date of the oldest shortfall still open; null when none is open. */
  dueOn: string | null;
}

/**
 * The deduction shortfall an agency still owes (RULES §7; A 第十八条(四), 第十九条(三)): the sum of
 * the shortfalls recorded on deductions, less what later deposits made good (settlements), with
 * the top-up date of the oldest shortfall still open. Events in the order they were recorded.
 *
 * Worked example: a deduction short by 50,000.00 due 2025-07-08, then a settlement of 30,000.00,
 * then a deduction short by 10,000.00 due 2025-08-05 → open 30,000.00, due 2025-07-08 (the first
 * shortfall is not fully made good). A further settlement of 30,000.00 leaves 0.00 and no date.
 */
export function openShortfall(events: readonly MarginEventFacts[]): OpenShortfall {
  let owed = Money.ZERO;
  let dueOn: string | null = null;
  for (const e of events) {
    if (e.kind === 'deduction' && e.shortfall && e.shortfall.isPositive()) {
      owed = owed.plus(e.shortfall);
      dueOn = dueOn ?? e.topUpDueOn;
    } else if (e.kind === 'shortfall_settlement') {
      owed = owed.minus(e.amount);
      if (!owed.isPositive()) dueOn = null;
    }
  }
  return { amount: owed.isPositive() ? owed : Money.ZERO, dueOn: owed.isPositive() ? dueOn : null };
}
