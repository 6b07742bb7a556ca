/**
 * Where a route's CPU goes (issue #16): starts the service in this process (createApp, logging at
 * `info` to stdout as in production — redirect it to a file), samples a CPU profile from the
 * moment `<dir>/start` appears until `<dir>/stop` appears, then writes the share of busy samples
 * per category to `<out>`: the package (or `src/` module) of the sampled function, with native
 * and Node-core frames (JSON.stringify, socket writes) charged to their nearest caller in a
 * package or in `src/`. Load the route from another process (e.g. `npx autocannon`) between the
 * two files. Results in docs/benchmarks.md "HTTP".
 *
 *   PORT=3991 DATABASE_URL=… BOOTSTRAP_ADMIN_TOKEN=… LOG_LEVEL=info \
 *     npx ts-node --transpile-only bench/http-profile.ts /tmp/prof /tmp/prof/calc.json > /tmp/prof/server.log
 */
import 'reflect-metadata';
import { existsSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { createApp } from '../src/bootstrap';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const [dir, out] = process.argv.slice(2);

function waitFor(file: string): Promise<void> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (existsSync(file)) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
  });
}

function category(n: ProfileNode): string {
  const { url, functionName } = n.callFrame;
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return 'program (native, unattributed)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg && /pino|redact|sonic-boom|quick-format/.test(pkg)) return `logging (${pkg})`;
  if (pkg && /class-validator|class-transformer|^validator$/.test(pkg)) return `validation (${pkg})`;
  if (pkg && /typeorm|^pg$|^pg-/.test(pkg)) return `database client (${pkg})`;
  if (pkg) return `framework and other packages (${pkg})`;
  if (url.includes('/src/')) return `service code (src/${url.split('/src/')[1].split('/')[0]})`;
  return `node core (${url.replace('node:', '').split('/')[0] || 'native'})`;
}

async function main(): Promise<void> {
  const app = await createApp();
  await app.listen(Number(process.env.PORT ?? 3991));
  writeFileSync(join(dir, 'ready'), '1');
  await waitFor(join(dir, 'start'));
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params: object = {}) =>
    new Promise<T>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  await waitFor(join(dir, 'stop'));
  const { profile } = await post<{ profile: Profile }>('Profiler.stop');

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owner = (id: number): string => {
    const own = byId.get(id) as ProfileNode;
    if (['(idle)', '(garbage collector)', '(program)'].includes(own.callFrame.functionName)) return category(own);
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur) as ProfileNode;
      if (n.callFrame.url.includes('node_modules/') || n.callFrame.url.includes('/src/')) return category(n);
    }
    return category(own);
  };
  const samples = new Map<string, number>();
  for (const id of profile.samples) {
    const k = owner(id);
    samples.set(k, (samples.get(k) ?? 0) + 1);
  }
  const busy = profile.samples.length - (samples.get('idle') ?? 0);
  const rows = [...samples]
    .filter(([k]) => k !== 'idle')
    .sort((a, b) => b[1] - a[1])
    .map(([k, c]) => ({ category: k, percentOfBusy: Number(((100 * c) / busy).toFixed(1)) }));
  writeFileSync(out, JSON.stringify({ samples: profile.samples.length, busy, rows }, null, 1));
  await app.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
