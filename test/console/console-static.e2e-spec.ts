import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Issue 17, the overview's first visit (docs/console.md "How it is built"): the page, its
 * precompiled templates and Vue's runtime-only build are served, and the console's own API calls
 * carry `Server-Timing` (the server's time, read by the browser test's load breakdown); other
 * routes do not.
 */
describe('the console as served (issue 17)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('the page asks for the overview early and preloads the runtime-only Vue and the render functions, which are served', async () => {
    const page = await t.http.get('/').expect(200);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.text).toContain("var path = '/v1/console/overview';");
    expect(page.text).toContain('href="/console/vendor/vue/vue.runtime.esm-browser.prod.js"');
    expect(page.text).toContain('href="/console/templates.js"');
    // The inline request comes before the stylesheet, which would hold an inline script back.
    expect(page.text.indexOf('/v1/console/overview')).toBeLessThan(page.text.indexOf('rel="stylesheet"'));
    const templates = await t.http.get('/console/templates.js').expect(200);
    expect(templates.headers['content-type']).toMatch(/javascript/);
    expect(templates.text).toContain('export const Overview = (() => {');
    const vue = await t.http.get('/console/vendor/vue/vue.runtime.esm-browser.prod.js').expect(200);
    expect(vue.text).toBe(readFileSync(join(dirname(require.resolve('vue/package.json')), 'dist', 'vue.runtime.esm-browser.prod.js'), 'utf8'));
  });

  it('the console’s API calls carry Server-Timing with the server’s time, refused or not; other routes do not', async () => {
    const overview = await t.http.get('/v1/console/overview').set('Authorization', t.auth).expect(200);
    expect(overview.headers['server-timing']).toMatch(/^app;dur=\d+\.\d$/);
    const me = await t.http.get('/v1/tokens/me').set('Authorization', t.auth).expect(200);
    expect(me.headers['server-timing']).toMatch(/^app;dur=\d+\.\d$/);
    const other = await t.http.get('/v1/reserve').set('Authorization', t.auth).expect(200);
    expect(other.headers['server-timing']).toBeUndefined();
    // A refusal of the console's call is timed too (the browser's breakdown shows it as it is).
    const refused = await t.http.get('/v1/console/overview').expect(401);
    expect(refused.headers['server-timing']).toMatch(/^app;dur=\d+\.\d$/);
  });
});
