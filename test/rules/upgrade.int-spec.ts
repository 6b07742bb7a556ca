import { canonicalJson } from '../../src/common/idempotency/canonical-json';
import { HENAN_2021 } from '../../src/programme/domain/henan-versions';
import { PartyStatusReasons1732720000000 } from '../../migrations/1732720000000-party-status-reasons';
import { PolicyProgrammesReferenceRates1732700000000 } from '../../migrations/1732700000000-policy-programmes-reference-rates';
import { ReconciliationWindowPolicy1733700000000 } from '../../migrations/1733700000000-reconciliation-window-policy';
import { PlacementMinimumTransferPolicy1733805000000 } from '../../migrations/1733805000000-placement-minimum-transfer-policy';
import { ProgrammesAsData1733850000000 } from '../../migrations/1733850000000-programmes-as-data';
import { ProgrammeFlows1733860000000 } from '../../migrations/1733860000000-programme-flows';
import { startIsolatedTestApp, TestApp, uniqueCode } from '../support/test-app';

/**
 * Issue 11 on a database written before it: the stored henan-2021 (effective 2021-01-01, with the
 * LPR table inside) becomes the corrected version, and the recorded status history becomes status
 * reasons. Each migration is run down and up again on a database of its own, with the old rows.
 */
describe('upgrading a database written before issue 11', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startIsolatedTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('henan-2021 as stored before (2021-01-01, lpr inside) is corrected to 2021-10-30 without the LPR table, equal to the built-in version', async () => {
    const runner = t.dataSource.createQueryRunner();
    try {
      const migration = new PolicyProgrammesReferenceRates1732700000000();
      await t.dataSource.query(`DELETE FROM policy_versions WHERE id <> 'henan-2021' AND NOT EXISTS (SELECT 1 FROM loans WHERE policy_version_id = policy_versions.id)`);
      // The programmes table is referenced by the later programme data (issue 18), and programme loans by
      // the programme flows: those come down first and up again last.
      const programmesAsData = new ProgrammesAsData1733850000000();
      const programmeFlows = new ProgrammeFlows1733860000000();
      await programmeFlows.down(runner);
      await programmesAsData.down(runner);
      await migration.down(runner);
      const old = { ...HENAN_2021, effectiveFrom: '2021-01-01', name: 'Henan 科技贷 implementation scheme (2021)', lpr: [{ effectiveFrom: '2019-08-20', oneYear: '0.0425', fiveYear: '0.0485' }] };
      await t.dataSource.query(`UPDATE policy_versions SET effective_from = '2021-01-01', body = $1::jsonb WHERE id = 'henan-2021'`, [JSON.stringify(old)]);
      await migration.up(runner);
      // The later migrations that add a parameter to stored versions run after it, as on an upgrade.
      await new ReconciliationWindowPolicy1733700000000().up(runner);
      await new PlacementMinimumTransferPolicy1733805000000().up(runner);
      await programmesAsData.up(runner);
      await programmeFlows.up(runner);
      const rows: { effective_from: string; programme: string; body: unknown }[] = await t.dataSource.query(
        `SELECT effective_from::text, programme, body FROM policy_versions WHERE id = 'henan-2021'`,
      );
      expect(rows[0]).toMatchObject({ effective_from: '2021-10-30', programme: 'henan-tech-loan' });
      expect(canonicalJson(rows[0].body)).toBe(canonicalJson(HENAN_2021));
    } finally {
      await runner.release();
    }
  });

  it('the status history recorded before becomes reasons: each non-active status until the next change, with its source', async () => {
    const bank = uniqueCode('UB');
    const agency = uniqueCode('UA');
    await t.dataSource.query(`INSERT INTO party_status_changes (party_type, party_code, status, reason, since) VALUES
      ('bank', $1, 'suspended_new', 'loss rate 4.8%', '2025-04-25'),
      ('bank', $1, 'active', 'loss rate 3.9%', '2025-07-25'),
      ('agency', $2, 'suspended_new', 'MARGIN.SHORTFALL', '2025-09-30'),
      ('agency', $2, 'disqualified', 'dormant', '2025-10-05')`, [bank, agency]);
    const runner = t.dataSource.createQueryRunner();
    try {
      const migration = new PartyStatusReasons1732720000000();
      await migration.down(runner);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    const reasons: { party_code: string; source: string; status: string; started_on: string; ended_on: string | null }[] = await t.dataSource.query(
      `SELECT party_code, source, status, started_on::text, ended_on::text FROM party_status_reasons WHERE party_code IN ($1, $2) ORDER BY party_code, started_on`,
      [bank, agency],
    );
    expect(reasons).toEqual([
      { party_code: agency, source: 'margin_shortfall', status: 'suspended_new', started_on: '2025-09-30', ended_on: '2025-10-05' },
      { party_code: agency, source: 'disqualified', status: 'disqualified', started_on: '2025-10-05', ended_on: null },
      { party_code: bank, source: 'manual', status: 'suspended_new', started_on: '2025-04-25', ended_on: '2025-07-25' },
    ].sort((a, b) => a.party_code.localeCompare(b.party_code) || a.started_on.localeCompare(b.started_on)));
  });
});
