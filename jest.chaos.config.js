/**
 * The fault-and-fuzz battery (`npm run test:chaos`, docs/reliability.md): the service runs as a
 * child process against a private PostgreSQL cluster and a private redis-server that the specs
 * start, crash and restart themselves. Runs in band (one spec at a time); .ci/run calls it after
 * the two suites.
 */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: 'test/chaos/.*\\.chaos-spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  globalSetup: '<rootDir>/test/chaos/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/chaos/support/global-teardown.ts',
  testTimeout: 300000,
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};
