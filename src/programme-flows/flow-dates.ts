import { eventDateProblems, type DatedField, type StepOrder } from '../common/calendar/event-dates';
import { EVENT_DATE_ERRORS } from '../common/calendar/event-dates.errors';
import { DomainError } from '../common/errors/domain-error';

/**
 * The dates of a flow's step (RULES §4, dates 2026-12, as for Henan's claims): not after today, not
 * before the step it follows; 422 naming the dates (`outOfOrderCode` for the order, DATE.IN_FUTURE).
 */
export function assertFlowDates(today: string, happened: readonly DatedField[], order: readonly StepOrder[], outOfOrderCode: string): void {
  const problems = eventDateProblems(today, happened, order).map((p) => (p.code === EVENT_DATE_ERRORS.BEFORE_PREVIOUS_STEP ? { ...p, code: outOfOrderCode } : p));
  if (!problems.length) return;
  throw DomainError.rule(problems.length === 1 ? problems[0].code : EVENT_DATE_ERRORS.NOT_POSSIBLE, problems.map((p) => p.message).join('; '), problems);
}
