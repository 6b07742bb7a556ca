import { DATE_ERRORS, QUARTER_ERRORS } from '../errors/common.errors';
import { DomainError } from '../errors/domain-error';
import { IsoDate, daysInMonth, formatIsoDate, parseIsoDate } from './iso-date';

/**
 * Quarters written '2025Q2' (API.md `/v1/quarters/{quarter}`). The quarter-driven duties of
 * RULES §9 hang off them: bank reports and margins by the 10th of the quarter's first month, loss
 * rates by the 25th, the custody fee at quarter end.
 */
export type QuarterId = string;

export interface ParsedQuarter {
  year: number;
  /** 1–4 */
  quarter: number;
}

const QUARTER = /^([0-9]{4})Q([1-4])$/;

/** Parses '2025Q2'; throws DomainError invalid `QUARTER.INVALID` (400) on anything else. */
export function parseQuarter(value: unknown): ParsedQuarter {
  const m = typeof value === 'string' ? QUARTER.exec(value) : null;
  if (!m || Number(m[1]) < 1) {
    throw DomainError.invalid(QUARTER_ERRORS.INVALID, 'quarter must be written like 2025Q2', [
      {
        code: QUARTER_ERRORS.INVALID,
        field: 'quarter',
        message: `${JSON.stringify(value)} is not a quarter such as 2025Q2`,
      },
    ]);
  }
  return { year: Number(m[1]), quarter: Number(m[2]) };
}

export function isValidQuarter(value: unknown): value is QuarterId {
  try {
    parseQuarter(value);
    return true;
  } catch {
    return false;
  }
}

export function formatQuarter({ year, quarter }: ParsedQuarter): QuarterId {
  return `${String(year).padStart(4, '0')}Q${quarter}`;
}

/** The quarter a date falls in: quarterOf('2025-05-10') = '2025Q2'. */
export function quarterOf(date: IsoDate): QuarterId {
  const { year, month } = parseIsoDate(date);
  return formatQuarter({ year, quarter: Math.floor((month - 1) / 3) + 1 });
}

/** quarterFirstDay('2025Q2') = '2025-04-01'. */
export function quarterFirstDay(quarter: QuarterId): IsoDate {
  const { year, quarter: q } = parseQuarter(quarter);
  return formatIsoDate({ year, month: (q - 1) * 3 + 1, day: 1 });
}

/** quarterLastDay('2025Q1') = '2025-03-31'. */
export function quarterLastDay(quarter: QuarterId): IsoDate {
  const { year, quarter: q } = parseQuarter(quarter);
  const month = q * 3;
  return formatIsoDate({ year, month, day: daysInMonth(year, month) });
}

/** previousQuarter('2025Q1') = '2024Q4'. */
export function previousQuarter(quarter: QuarterId): QuarterId {
  const { year, quarter: q } = parseQuarter(quarter);
  return q === 1
    ? formatQuarter({ year: year - 1, quarter: 4 })
    : formatQuarter({ year, quarter: q - 1 });
}

/** nextQuarter('2024Q4') = '2025Q1'. */
export function nextQuarter(quarter: QuarterId): QuarterId {
  const { year, quarter: q } = parseQuarter(quarter);
  return q === 4
    ? formatQuarter({ year: year + 1, quarter: 1 })
    : formatQuarter({ year, quarter: q + 1 });
}

/**
 * The `day`-th of the quarter's first month: quarterFirstMonthDay('2025Q3', 10) = '2025-07-10'
 * (bank reports, margins: B 第十条, A 第十八条), quarterFirstMonthDay('2025Q3', 25) =
 * '2025-07-25' (loss rates: B 第十七条). Throws when the month has no such day.
 */
export function quarterFirstMonthDay(quarter: QuarterId, day: number): IsoDate {
  const { year, quarter: q } = parseQuarter(quarter);
  const month = (q - 1) * 3 + 1;
  if (!Number.isInteger(day) || day < 1 || day > daysInMonth(year, month)) {
    throw DomainError.invalid(DATE_ERRORS.INVALID, `day ${day} does not exist in ${year}-${month}`);
  }
  return formatIsoDate({ year, month, day });
}
