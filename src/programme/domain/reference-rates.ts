import { D } from '../../common/money/decimal';

/**
 * Reference rates for the rate cap (RULES §2, revised 2026-12): the PBoC benchmark lending rates
 * and the Loan Prime Rate, each a table of rows with the date each row is in force from. They are
 * reference data, not policy: a new row applies to contracts dated from its effective date
 * without a new policy version. Rates are decimal-fraction strings ("0.0435").
 */
export interface LprRow {
  /** First day this row is in force (YYYY-MM-DD); in force until the next row. */
  effectiveFrom: string;
  /** 1-year LPR, decimal fraction ("0.0345"). */
  oneYear: string;
  /** 5-year LPR, decimal fraction. */
  fiveYear: string;
}

export interface PbocBenchmarkRow {
  effectiveFrom: string;
  upToOneYear: string;
  oneToFiveYears: string;
  overFiveYears: string;
}

export interface ReferenceRates {
  lpr: readonly LprRow[];
  pboc: readonly PbocBenchmarkRow[];
}

/**
 * Rows of a reference-rate CSV (`effective_from,<rate>,…` in percent, '#' comments, a header line
 * starting with `effective_from`), each rate turned into a fraction exactly (division by 100).
 * Sorted by date; a malformed row or a date given twice throws (a bad data file stops start-up).
 */
function parseRateCsv(text: string, columns: number, what: string): { effectiveFrom: string; rates: string[] }[] {
  const rows: { effectiveFrom: string; rates: string[] }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('effective_from')) continue;
    const [effectiveFrom, ...rates] = line.split(',').map((c) => c.trim());
    const wellFormed =
      /^\d{4}-\d{2}-\d{2}$/.test(effectiveFrom) && rates.length === columns && rates.every((r) => /^\d{1,2}(\.\d{1,4})?$/.test(r));
    if (!wellFormed) throw new Error(`${what}: malformed row "${line}"`);
    if (rows.some((r) => r.effectiveFrom === effectiveFrom)) throw new Error(`${what}: ${effectiveFrom} is listed twice`);
    rows.push({ effectiveFrom, rates: rates.map((r) => new D(r).dividedBy(100).toFixed()) });
  }
  return rows.sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
}

/**
 * Parses data/lpr-history.csv (`effective_from,lpr_1y,lpr_5y`, percent). Pure: the caller reads
 * the file. Example: the row `2025-05-20,3.00,3.50` → { effectiveFrom: '2025-05-20', oneYear:
 * '0.03', fiveYear: '0.035' }.
 */
export function parseLprCsv(text: string): LprRow[] {
  return parseRateCsv(text, 2, 'LPR table').map((r) => ({ effectiveFrom: r.effectiveFrom, oneYear: r.rates[0], fiveYear: r.rates[1] }));
}

/** Parses data/pboc-benchmark-history.csv (`effective_from,up_to_1y,1y_to_5y,over_5y`, percent). */
export function parsePbocCsv(text: string): PbocBenchmarkRow[] {
  return parseRateCsv(text, 3, 'PBoC benchmark table').map((r) => ({
    effectiveFrom: r.effectiveFrom,
    upToOneYear: r.rates[0],
    oneToFiveYears: r.rates[1],
    overFiveYears: r.rates[2],
  }));
}

/** The row in force on `date`: the latest with effectiveFrom ≤ date, or undefined before the first. */
export function rowInForce<T extends { effectiveFrom: string }>(rows: readonly T[], date: string): T | undefined {
  let best: T | undefined;
  for (const r of rows) if (r.effectiveFrom <= date && (!best || r.effectiveFrom > best.effectiveFrom)) best = r;
  return best;
}

/** Two rows are the same when every rate has the same value ("0.0300" = "0.03" = numeric 0.03000000). */
function sameRates(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a).filter((k) => k !== 'effectiveFrom');
  return keys.length === Object.keys(b).length - 1 && keys.every((k) => b[k] !== undefined && new D(a[k]).equals(new D(b[k])));
}

export interface ReferenceRowSync<T> {
  /** Rows of the file the database does not have yet: to be added. */
  missing: T[];
  /** Dates present in both with different values: the stored row stays; worth a warning. */
  changed: { effectiveFrom: string; stored: T; file: T }[];
}

/**
 * What a reference-rate file adds to the stored table (RULES §2 2026-12: the tables are extended
 * without a new policy version). Rows are compared by their values, not their text, so "3.00"
 * in the file and numeric 0.03000000 in the database are the same row and raise no warning.
 * Example: stored rows up to 2024-10-21, file up to 2025-05-20 → missing = [2025-05-20 row].
 */
export function syncReferenceRows<T extends { effectiveFrom: string }>(stored: readonly T[], file: readonly T[]): ReferenceRowSync<T> {
  const byDate = new Map(stored.map((r) => [r.effectiveFrom, r]));
  const missing: T[] = [];
  const changed: ReferenceRowSync<T>['changed'] = [];
  for (const row of file) {
    const existing = byDate.get(row.effectiveFrom);
    if (!existing) missing.push(row);
    else if (!sameRates(row as unknown as Record<string, string>, existing as unknown as Record<string, string>)) {
      changed.push({ effectiveFrom: row.effectiveFrom, stored: existing, file: row });
    }
  }
  return { missing, changed };
}
