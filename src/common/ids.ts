/**
 * Ids the service issues are UUIDs (version 4 today; the ledger's may become time-ordered). A
 * path or body id that is not one cannot name a row: callers answer 404 for it without asking the
 * database (PostgreSQL would refuse the text as a uuid with an error, not a miss).
 */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` is a UUID in its canonical 8-4-4-4-12 hexadecimal form (any version). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}
