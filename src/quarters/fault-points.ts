/**
 * Fault injection for the failure and kill tests: when QUARTER_FAULT_POINT names a point the close
 * reaches (`run:started`, `<duty>:before`, `<duty>:inside`, `<duty>:after`), the process kills
 * itself there with SIGKILL — no cleanup, no rollback but the database's own — or, with
 * QUARTER_FAULT_ACTION=throw, the duty throws (a failure the run records and retries). Unset in
 * production: one environment read per point.
 */
export function faultPoint(name: string): void {
  const wanted = process.env.QUARTER_FAULT_POINT;
  if (!wanted || wanted !== name) return;
  if (process.env.QUARTER_FAULT_ACTION === 'throw') throw new Error(`injected fault at ${name}`);
  process.kill(process.pid, 'SIGKILL');
}
