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
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};
