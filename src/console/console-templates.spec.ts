import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { compileConsoleTemplates, VUE_RUNTIME } from './console-templates';

/**
 * The console's render functions (web/templates.js) are generated from web/templates/*.html and
 * committed (docs/console.md "How it is built"): the browser loads Vue's runtime-only build, which
 * cannot compile a template, so a template changed without `npm run console:templates` would
 * silently show the old page. This fails instead.
 */
const WEB = join(__dirname, '..', '..', 'web');

describe('the console templates compiled to render functions', () => {
  it('web/templates.js is what the templates compile to today (else: npm run console:templates)', () => {
    expect(readFileSync(join(WEB, 'templates.js'), 'utf8')).toBe(compileConsoleTemplates(WEB));
  });

  it('a changed template gives another web/templates.js (the check above can fail)', () => {
    const copy = mkdtempSync(join(tmpdir(), 'console-web-'));
    try {
      cpSync(join(WEB, 'templates'), join(copy, 'templates'), { recursive: true });
      const overview = join(copy, 'templates', 'Overview.html');
      writeFileSync(overview, readFileSync(overview, 'utf8').replace('data-test="reserve-total"', 'data-test="reserve-sum"'));
      const changed = compileConsoleTemplates(copy);
      expect(changed).not.toBe(readFileSync(join(WEB, 'templates.js'), 'utf8'));
      expect(changed).toContain('"data-test": "reserve-sum"');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('every component of app.js renders with a compiled template and none is left to compile in the browser', () => {
    const app = readFileSync(join(WEB, 'app.js'), 'utf8');
    const generated = readFileSync(join(WEB, 'templates.js'), 'utf8');
    const used = [...app.matchAll(/render: templates\.(\w+),/g)].map((m) => m[1]);
    expect(used).toEqual(expect.arrayContaining(['App', 'Overview', 'Chart', 'Login']));
    for (const name of used) expect(generated).toContain(`export const ${name} = (() => {`);
    expect(app).not.toMatch(/^\s*template:/m);
    // Both import the same runtime-only build, which the service serves from node_modules.
    expect(app).toContain(`from '${VUE_RUNTIME}'`);
    expect(generated).toContain(`from '${VUE_RUNTIME}'`);
    const file = VUE_RUNTIME.replace('/console/vendor/vue/', '');
    expect(existsSync(join(dirname(require.resolve('vue/package.json')), 'dist', file))).toBe(true);
  });

  it('an invalid template is refused with its file named', () => {
    const copy = mkdtempSync(join(tmpdir(), 'console-web-'));
    try {
      cpSync(join(WEB, 'templates'), join(copy, 'templates'), { recursive: true });
      writeFileSync(join(copy, 'templates', 'Broken.html'), '<div v-if="">{{ unclosed </div>');
      expect(() => compileConsoleTemplates(copy)).toThrow(/web\/templates\/Broken\.html/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
