/**
 * Runs before each test file (jest `setupFiles`): hands the migrated data directory the
 * environment holds (embedded-environment.js) to this file's embedded database module.
 */
const template = (globalThis as { __embeddedTemplate?: Blob }).__embeddedTemplate;
if (template) {
  // Required only here: a unit spec on the real database's run does not load PGlite.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { useInMemoryTemplate } = require('../../src/common/database/embedded-postgres') as typeof import('../../src/common/database/embedded-postgres');
  useInMemoryTemplate(template);
}
