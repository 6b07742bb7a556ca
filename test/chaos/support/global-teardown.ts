import { rmSync } from 'node:fs';
import { CHAOS_DIR, isOurs, rememberedPids } from './processes';

/** Stops (SIGKILL, by pid) any process a spec started and left running, then forgets them. */
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
  rmSync(CHAOS_DIR, { recursive: true, force: true });
}
