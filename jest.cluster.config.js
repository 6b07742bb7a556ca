/**
 * The cluster tests (`npm run test:cluster`, issue 19, docs/scaling.md): three instances of the
 * service as child processes against one private PostgreSQL primary, its streaming replica (made
 * with pg_basebackup) and one private redis-server, all started by the specs on their own ports
 * (PostgreSQL 56400–56420, redis 56430–56440, the instances 56450–56480) and stopped by pid. The
 * build, the pid list and the leftover clean-up are the fault battery's (test/chaos/support).
 */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: 'test/cluster/.*\\.cluster-spec\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  globalSetup: '<rootDir>/test/chaos/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/chaos/support/global-teardown.ts',
  testTimeout: 240000,
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
};
