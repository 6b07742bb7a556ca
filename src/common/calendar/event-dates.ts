import { DomainError, type ErrorDetail } from '../errors/domain-error';
import { EVENT_DATE_ERRORS } from './event-dates.errors';

/** A date the request gives, by the name of its field. */
export interface DatedField {
  field: string;
  date: string | null | undefined;
}

/** A step that may not be dated before an earlier one (e.g. disbursement after registration). */
export interface StepOrder extends DatedField {
  /** What it follows: a field of the request or a stored step, e.g. { field: 'registeredOn', date }. */
  notBefore: DatedField;
}

/**
 * The problems of an event's dates (RULES §4 "Decision (dates, 2026-12)"): every date of an event
 * that has happened is on or before `today`, and each step is on or after the step it follows.
 * Every problem names its dates. Example: today 2026-12-01, registeredOn 2027-01-05 →
 * [{ code: 'DATE.IN_FUTURE', field: 'registeredOn', date: '2027-01-05', today: '2026-12-01' }].
 */
export function eventDateProblems(today: string, happened: readonly DatedField[], order: readonly StepOrder[] = []): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  for (const { field, date } of happened) {
    if (date && date > today) {
      problems.push({ code: EVENT_DATE_ERRORS.IN_FUTURE, field, message: `${field} ${date} is after today (${today}): it has not happened yet`, date, today });
    }
  }
  for (const step of order) {
    const before = step.notBefore.date;
    if (step.date && before && step.date < before) {
      problems.push({
        code: EVENT_DATE_ERRORS.BEFORE_PREVIOUS_STEP,
        field: step.field,
        message: `${step.field} ${step.date} is before ${step.notBefore.field} ${before}`,
        date: step.date,
        [step.notBefore.field]: before,
      });
    }
  }
  return problems;
}

/** Throws a 422 listing every date problem (code: the problem's own when one, else DATE.NOT_POSSIBLE). */
export function assertEventDates(today: string, happened: readonly DatedField[], order: readonly StepOrder[] = []): void {
  const problems = eventDateProblems(today, happened, order);
  if (!problems.length) return;
  throw DomainError.rule(
    problems.length === 1 ? problems[0].code : EVENT_DATE_ERRORS.NOT_POSSIBLE,
    problems.map((p) => p.message).join('; '),
    problems,
  );
}
