import { createBank } from '../support/factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Issue 17, the claim drill-down's "steps and who did them": `GET /v1/console/actors` turns the
 * token ids a record keeps into role, party and label. Labels (usually a person's name) for the
 * programme-wide roles only; revoked tokens still described (they acted when valid); bad ids 400.
 */
describe('GET /v1/console/actors (issue 17)', () => {
  let t: TestApp;
  let bank: string;
  const issue = async (body: object) => {
    const res = await t.http.post('/v1/tokens').set('Authorization', t.auth).send(body).expect(201);
    return res.body as { id: string; token: string };
  };

  beforeAll(async () => {
    t = await startTestApp();
    bank = await createBank(t, 'CA');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('names each token: role, party, label — a revoked one too; an unknown id is left out', async () => {
    const reviewer = await issue({ role: 'trustee', label: '王五（受托管理机构审核岗）' });
    const teller = await issue({ role: 'bank', partyCode: bank, label: '赵六' });
    await t.http.delete(`/v1/tokens/${teller.id}`).set('Authorization', t.auth).expect(204);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const res = await t.http.get(`/v1/console/actors?ids=${reviewer.id},${teller.id.toUpperCase()},${unknown}`).set('Authorization', t.auth).expect(200);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.items).toEqual(
      expect.arrayContaining([
        { id: reviewer.id, role: 'trustee', partyCode: null, label: '王五（受托管理机构审核岗）' },
        { id: teller.id, role: 'bank', partyCode: bank, label: '赵六' },
      ]),
    );
  });

  it('a bank sees who acted by role, not by name', async () => {
    const reviewer = await issue({ role: 'trustee', label: '王五' });
    const own = await issue({ role: 'bank', partyCode: bank, label: 'teller' });
    const res = await t.http.get(`/v1/console/actors?ids=${reviewer.id}`).set('Authorization', `Bearer ${own.token}`).expect(200);
    expect(res.body.items).toEqual([{ id: reviewer.id, role: 'trustee', partyCode: null, label: null }]);
  });

  it.each([
    ['no ids', ''],
    ['not a UUID', '?ids=abc'],
    ['an empty list', '?ids=%20'],
    ['too many', `?ids=${Array.from({ length: 51 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`).join(',')}`],
  ])('%s → 400 CONSOLE.ACTOR_IDS_INVALID', async (_name, query) => {
    const res = await t.http.get(`/v1/console/actors${query}`).set('Authorization', t.auth).expect(400);
    expect(res.body.code).toBe('CONSOLE.ACTOR_IDS_INVALID');
  });
});
