import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Finds the project's `data/` folder by walking up from `start` (this file's folder under ts-node
 * and jest, `dist/src/programme` in the compiled build) and falling back to the working directory.
 */
export function findDataFile(name: string, start = __dirname): string {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, 'data', name);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const fromCwd = join(process.cwd(), 'data', name);
  if (existsSync(fromCwd)) return fromCwd;
  throw new Error(`data/${name} not found above ${start} or in ${process.cwd()}`);
}
