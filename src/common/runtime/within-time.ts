/**
 * Resolves with the probe's value, or with `ok: false` once `ms` have passed or the probe failed
 * (a late probe goes on in the background; its result is ignored). /health's probes and the audit
 * sealer's last pass on shutdown are bounded by it.
 */
export async function withinTime<T>(probe: () => Promise<T>, ms: number): Promise<{ ok: true; value: T } | { ok: false }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ ok: false }>((resolve) => {
    // The deadline runs in the loop's timer phase, before the I/O phase: after a long stretch of
    // other work both the deadline and the probe's answer are waiting, and the deadline would win
    // although the database answered in time. One more turn (setImmediate runs after I/O) lets an
    // answer that has arrived be read first; a probe that truly has no answer is still `down`.
    timer = setTimeout(() => setImmediate(() => resolve({ ok: false })), ms);
  });
  const attempt = probe().then(
    (value) => ({ ok: true as const, value }),
    () => ({ ok: false as const }),
  );
  try {
    return await Promise.race([attempt, late]);
  } finally {
    clearTimeout(timer);
  }
}
