/** Unit specs (`*.spec.ts`) sit beside the code; integration (`*.int-spec.ts`) and HTTP e2e
 * (`*.e2e-spec.ts`) specs run against a database: DATABASE_URL when set, else embedded PGlite. */
module.exports = {
  rootDir: '.',
  // Node's environment; on the embedded database, test apps start from a migrated template
  // (test/support/embedded-environment.js).
  testEnvironment: '<rootDir>/test/support/embedded-environment.js',
  setupFiles: ['<rootDir>/test/support/embedded-setup.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: '.*\\.(spec|int-spec|e2e-spec)\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // CI runs the suite twice side by side on two cores (.ci/run): a test waits for its share of them.
  testTimeout: 120000,
  // `npm test` runs the files one after another in one worker process (--maxWorkers=1), which is
  // replaced once its heap passes this after a file: every file loads the whole service again, and
  // a process kept for the whole suite grew to 3–4 GB and spent its time collecting garbage.
  workerIdleMemoryLimit: '512MB',
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};
