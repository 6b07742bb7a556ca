import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';

/** The repository root (where package.json is), from this file in src/ or in dist/src/. */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the console module');
    dir = up;
  }
  return dir;
}

/** A package's dist folder, resolved the way Node resolves the package. */
function distOf(pkg: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), 'dist');
}

/**
 * The console's page and assets (issue 17; docs/console.md), served by express before the Nest
 * router, so they are not API routes (not in OpenAPI, no bearer token: the page is public, the data
 * it fetches is not). No build step: web/ holds the page, its script and styles as they are
 * served; Vue's and ECharts' browser builds come from their packages in node_modules, so
 * `npm ci` is all a fresh machine needs.
 */
export function serveConsole(app: NestExpressApplication): void {
  const web = join(projectRoot(), 'web');
  app.use(serverTiming);
  const options = { index: false, fallthrough: false, immutable: false, maxAge: '1h' };
  app.use('/console/vendor/vue', express.static(distOf('vue'), options));
  app.use('/console/vendor/echarts', express.static(distOf('echarts'), options));
  app.use('/console', express.static(web, { ...options, maxAge: 0 }));
  app.use((req: express.Request, res: express.Response, next: express.NextFunction) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && (req.path === '/' || req.path === '/index.html')) {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(join(web, 'index.html'));
      return;
    }
    next();
  });
}

/** The API calls the console's pages make on opening: their server time is reported to the browser. */
const TIMED = /^\/v1\/(console\/|tokens\/me$)/;

/**
 * `Server-Timing: app;dur=…` on the console's API calls (W3C Server Timing): the browser's Resource
 * Timing then tells the server's time apart from the wire's and the page's (the overview's load
 * breakdown, docs/benchmarks.md). Written when the headers go out, i.e. after the handler ran.
 */
function serverTiming(req: express.Request, res: express.Response, next: express.NextFunction): void {
  if (!TIMED.test(req.path)) {
    next();
    return;
  }
  const started = process.hrtime.bigint();
  const writeHead = res.writeHead;
  res.writeHead = function (this: express.Response, ...args: Parameters<typeof writeHead>) {
    if (!this.headersSent) this.setHeader('Server-Timing', `app;dur=${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)}`);
    return writeHead.apply(this, args);
  } as typeof writeHead;
  next();
}
