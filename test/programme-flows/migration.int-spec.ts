import { ProgrammeFlows1733860000000 } from '../../migrations/1733860000000-programme-flows';
import { startIsolatedTestApp, TestApp } from '../support/test-app';

/** Migration 1733860000000 runs down and up again (the books stay: ledger books are append-only). */
describe('migration 1733860000000 (programme flows)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startIsolatedTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('down drops the four tables and keeps the books; up makes them again', async () => {
    const tables = async () =>
      ((await t.dataSource.query(
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('flow_fundings', 'pledge_claims', 'interest_subsidies', 'interest_subsidy_quarters') ORDER BY tablename`,
      )) as { tablename: string }[]).map((r) => r.tablename);
    const books = async () => ((await t.dataSource.query(`SELECT code FROM ledger_books WHERE code IN ('ippledge', 'subsidy') ORDER BY code`)) as { code: string }[]).map((r) => r.code);
    const migration = new ProgrammeFlows1733860000000();
    const runner = t.dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      expect(await tables()).toEqual([]);
      expect(await books()).toEqual(['ippledge', 'subsidy']);
      await migration.up(runner);
      expect(await tables()).toEqual(['flow_fundings', 'interest_subsidies', 'interest_subsidy_quarters', 'pledge_claims']);
      const policies = (await t.dataSource.query(`SELECT tablename FROM pg_policies WHERE policyname = 'party_wall' AND (tablename LIKE 'interest_subsid%' OR tablename = 'pledge_claims') ORDER BY tablename`)) as { tablename: string }[];
      expect(policies.map((p) => p.tablename)).toEqual(['interest_subsidies', 'interest_subsidy_quarters', 'pledge_claims']);
    } finally {
      await runner.release();
    }
  });
});
