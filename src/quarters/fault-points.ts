/**
 * Fault injection for the kill tests (test/chaos): when QUARTER_FAULT_POINT names a point the close
 * reaches (`run:started`, `<duty>:before`, `<duty>:inside`, `<duty>:after`), the process kills
 * itself with SIGKILL there — no cleanup, no rollback but the database's own. Unset in production:
 * one environment read per point.
 */
export function faultPoint(name: string): void {
  const wanted = process.env.QUARTER_FAULT_POINT;
  if (wanted && wanted === name) process.kill(process.pid, 'SIGKILL');
}
