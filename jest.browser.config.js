/**
 * The console's browser tests (`npm run test:browser`, issue 17; docs/console.md): Debian's
 * chromium driven by playwright-core against the service on the demo programme. Skipped (as
 * pending) when no browser is installed; .ci/run installs it and fails the run if they were skipped.
 */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: 'test/browser/.*\\.browser-spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  testTimeout: 600000,
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};
