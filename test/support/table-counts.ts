/**
 * Row counts of every table of the `public` schema in one statement, for checks that a refused
 * request wrote nothing. `query` runs SQL on the service's database (a DataSource or a pg Client).
 */
export type Query = (sql: string, params?: unknown[]) => Promise<unknown>;

/**
 * The audit trail records every write request, refused ones included, with their outcome (issue
 * #15, docs/audit.md): a refusal's audit row is the record that it was seen, not a change it made.
 */
const REQUEST_RECORDS = ['audit_log', 'audit_log_head'];

export async function tableNames(query: Query, exclude: readonly string[] = []): Promise<string[]> {
  const rows = (await query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)) as { tablename: string }[];
  return rows.map((r) => r.tablename).filter((n) => !exclude.includes(n) && !REQUEST_RECORDS.includes(n));
}

export async function tableCounts(query: Query, tables: readonly string[]): Promise<Record<string, number>> {
  if (!tables.length) return {};
  const sql = tables.map((t) => `SELECT '${t}' AS t, count(*)::int AS n FROM "${t}"`).join(' UNION ALL ');
  const rows = (await query(sql)) as { t: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)]));
}

/** Tables whose counts differ, as `table: before → after`. */
export function countChanges(before: Record<string, number>, after: Record<string, number>): string[] {
  return Object.keys({ ...before, ...after })
    .filter((t) => before[t] !== after[t])
    .map((t) => `${t}: ${before[t]} → ${after[t]}`);
}
