import { rmSync } from 'node:fs';
import { chaosDir, isOurs, rememberedPids } from './processes';

/**
 * Stops (SIGKILL, by pid) any process a spec started and left running, then removes the run's
 * folder (pids and the service logs; CHAOS_KEEP_LOGS=1 keeps it).
 */
export default async function globalTeardown(): Promise<void> {
  for (const { pid, marker } of rememberedPids()) {
    if (isOurs(pid, marker)) {
      process.stdout.write(`chaos: stopping leftover process ${pid} (${marker})\n`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  if (process.env.CHAOS_KEEP_LOGS === '1') process.stdout.write(`chaos: logs kept in ${chaosDir()}\n`);
  else rmSync(chaosDir(), { recursive: true, force: true });
}
