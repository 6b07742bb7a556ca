import { COMPENSATION_EXAMPLE_A } from '../support/examples';
import { startIsolatedTestApp, TestApp } from '../support/test-app';

/**
 * Issue 16: the compensation calculator no longer counts policy_versions on every request; it
 * re-checks at most once a second (PolicyService.ensureFreshWithin, docs/policy.md). A version
 * committed by another instance (here: inserted behind the service's back, as that instance's
 * commit would be) is named by the calculator once that second has passed. On a database of its
 * own: the version stays there.
 */
describe('the calculator sees a version another instance loaded (issue 16)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startIsolatedTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const calc = async () =>
    (
      await t.http
        .post('/v1/calculators/compensation')
        .set('Authorization', t.auth)
        .send({ ...COMPENSATION_EXAMPLE_A, claimDate: '2031-07-15', registeredOn: '2031-02-01', principalOverdueSince: '2031-05-10' })
        .expect(200)
    ).body as { policyVersion: string };

  it('names henan-2025 before, and the new version once the re-check bound (1 s) has passed', async () => {
    expect((await calc()).policyVersion).toBe('henan-2025');
    await t.dataSource.query(
      `INSERT INTO policy_versions (id, programme, name, effective_from, body, provisional)
       SELECT 'henan-2031', programme, 'from another instance', '2031-01-01',
              jsonb_set(jsonb_set(jsonb_set(body, '{id}', '"henan-2031"'), '{effectiveFrom}', '"2031-01-01"'), '{name}', '"from another instance"'), provisional
         FROM policy_versions WHERE id = 'henan-2025'`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await calc()).policyVersion).toBe('henan-2031');
  });
});
