import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { isOurs, rememberedPids, run } from './processes';

/**
 * Once per battery run: compiles the service (`tsc -p tsconfig.build.json` → dist/) so every
 * spec can start it as a child process and SIGKILL it. CHAOS_SKIP_BUILD=1 reuses an existing
 * build while iterating on the tests themselves.
 */
export default async function globalSetup(): Promise<void> {
  process.env.CHAOS_RUN_ID = process.env.CHAOS_RUN_ID ?? randomUUID().slice(0, 8);
  // Interrupted (Ctrl-C, a CI timeout): stop what the specs started before going (the global
  // teardown does not run then).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const { pid, marker } of rememberedPids()) {
        if (isOurs(pid, marker)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
      process.exit(130);
    });
  }
  if (process.env.CHAOS_SKIP_BUILD === '1') return;
  const root = resolve(__dirname, '../../..');
  const started = Date.now();
  await run(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, timeoutMs: 300_000 });
  process.stdout.write(`\nchaos: service compiled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
