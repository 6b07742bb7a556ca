import type { EntityManager } from 'typeorm';
import { TransactionScope } from '../../src/common/database/transaction-scope';
import type { WallParty } from '../../src/common/database/party-wall';
import { buildAccessWorld, type AccessWorld } from './access-world';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Issue #15 item 4, the second wall: PostgreSQL row-level security on the party-owned tables
 * (migration 1733820000000; docs/access.md "Row-level security"). A query that forgets its party
 * filter, run in a transaction walled to bank A, returns nothing of bank B; a transaction that
 * states no party at all sees nothing; the service's own (unrestricted) transactions see every
 * party; and bank A's API works as before.
 *
 * Runs on both databases. Both are reached as a superuser here (the embedded database's one
 * role, the test server's `postgres`), which PostgreSQL lets past every policy: the walled
 * transaction then switches to the SELECT-only wall role, which the policies hold for — the same
 * policies an application role that owns nothing meets (docs/operations.md "Database roles").
 */
describe('row-level security: a party-walled transaction sees only that party’s rows', () => {
  let t: TestApp;
  let w: AccessWorld;
  let scope: TransactionScope;

  const walled = <T>(party: WallParty, fn: (m: EntityManager) => Promise<T>) => scope.asParty(party, () => scope.run(fn));
  const column = async (m: EntityManager, sql: string) => ((await m.query(sql)) as { v: string }[]).map((r) => r.v);

  beforeAll(async () => {
    t = await startTestApp();
    w = await buildAccessWorld(t);
    scope = t.app.get(TransactionScope);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('bank A’s transaction, with no filter in the query, reads only bank A’s loans, claims, reports, report rows and borrowers', async () => {
    const seen = await walled({ type: 'bank', code: w.bankA }, async (m) => ({
      loans: await column(m, 'SELECT bank_code AS v FROM loans'),
      loanIds: await column(m, 'SELECT id::text AS v FROM loans'),
      claims: await column(m, 'SELECT bank_code AS v FROM claims'),
      claimIds: await column(m, 'SELECT id::text AS v FROM claims'),
      reports: await column(m, 'SELECT bank_code AS v FROM bank_reports'),
      reportIds: await column(m, 'SELECT id::text AS v FROM bank_reports'),
      rowReports: await column(m, 'SELECT report_id::text AS v FROM bank_report_rows'),
      borrowers: await column(m, 'SELECT code AS v FROM borrowers'),
      byId: await column(m, `SELECT id::text AS v FROM loans WHERE id = '${w.loanB}'`),
    }));
    expect(seen.loanIds).toContain(w.loanA);
    expect(new Set(seen.loans)).toEqual(new Set([w.bankA]));
    expect(seen.claimIds).toEqual([w.claimA]);
    expect(new Set(seen.claims)).toEqual(new Set([w.bankA]));
    expect(seen.reportIds).toEqual([w.reportA]);
    expect(new Set(seen.reports)).toEqual(new Set([w.bankA]));
    expect(new Set(seen.rowReports)).toEqual(new Set([w.reportA]));
    expect(seen.borrowers).toContain(w.borrowerA);
    expect(seen.borrowers).not.toContain(w.borrowerB);
    // Even asked for by id, bank B's loan is not there.
    expect(seen.byId).toEqual([]);
    // The unrestricted service sees both banks.
    const all = await scope.run((m) => column(m, `SELECT bank_code AS v FROM claims WHERE id IN ('${w.claimA}', '${w.claimB}')`));
    expect(all.sort()).toEqual([w.bankA, w.bankB].sort());
  });

  it('an agency’s transaction reads the loans and claims of the loans it reviewed, no bank report; another agency reads none of them', async () => {
    const mine = await walled({ type: 'agency', code: w.agency }, async (m) => ({
      loans: await column(m, 'SELECT agency_code AS v FROM loans'),
      loanIds: await column(m, 'SELECT id::text AS v FROM loans'),
      claims: await column(m, 'SELECT id::text AS v FROM claims'),
      reports: await column(m, 'SELECT id::text AS v FROM bank_reports'),
      rows: await column(m, 'SELECT report_id::text AS v FROM bank_report_rows'),
    }));
    expect(mine.loanIds).toEqual(expect.arrayContaining([w.loanA, w.loanB]));
    expect(new Set(mine.loans)).toEqual(new Set([w.agency]));
    expect(mine.claims.sort()).toEqual([w.claimA, w.claimB, w.claimB2].sort());
    expect(mine.reports).toEqual([]);
    expect(mine.rows).toEqual([]);
    const other = await walled({ type: 'agency', code: w.agencyOther }, async (m) => ({
      loans: await column(m, 'SELECT id::text AS v FROM loans'),
      claims: await column(m, 'SELECT id::text AS v FROM claims'),
    }));
    expect(other).toEqual({ loans: [], claims: [] });
  });

  it('a walled transaction cannot change another bank’s rows; the party ends with the transaction', async () => {
    // Refused (a superuser session runs walled reads as the SELECT-only wall role) or, under the
    // application role, the policy leaves the row invisible: nothing of bank B's is changed.
    const outcome = await walled({ type: 'bank', code: w.bankA }, (m) => m.query(`UPDATE claims SET status = status WHERE id = $1 RETURNING id`, [w.claimB])).then(
      (result: unknown) => (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as unknown[],
      () => 'refused' as const,
    );
    expect(outcome === 'refused' || outcome.length === 0).toBe(true);
    const after = await scope.run((m) => m.query(`SELECT current_setting('app.party_type', true) AS type, current_setting('app.party_code', true) AS code`));
    expect(after).toEqual([{ type: 'system', code: expect.not.stringMatching(/./) as unknown }]);
    const pooled = (await scope.manager.query(`SELECT current_setting('app.party_type', true) AS type`)) as { type: string }[];
    expect(pooled).toEqual([{ type: 'system' }]);
  });

  it('a transaction that states no party (a console that forgot) sees no row: unrestricted is a setting, never its absence', async () => {
    const seen = await scope.run(async (m) => {
      await m.query('SET LOCAL ROLE reserve_fund_wall');
      await m.query(`SELECT set_config('app.party_type', '', true)`);
      return {
        loans: await column(m, 'SELECT id::text AS v FROM loans'),
        claims: await column(m, 'SELECT id::text AS v FROM claims'),
        reports: await column(m, 'SELECT id::text AS v FROM bank_reports'),
        borrowers: await column(m, 'SELECT code AS v FROM borrowers'),
      };
    });
    expect(seen).toEqual({ loans: [], claims: [], reports: [], borrowers: [] });
  });

  it('bank A’s API works behind the wall: its loan, claim, report, lists, reserve totals; B’s are 404 as before', async () => {
    const get = (path: string, auth: string) => t.http.get(path).set('Authorization', auth);
    expect((await get(`/v1/loans/${w.loanA}`, w.tokens.bankA).expect(200)).body.id).toBe(w.loanA);
    expect((await get(`/v1/claims/${w.claimA}`, w.tokens.bankA).expect(200)).body.id).toBe(w.claimA);
    expect((await get(`/v1/bank-reports/${w.reportA}`, w.tokens.bankA).expect(200)).body.id).toBe(w.reportA);
    const loans = (await get('/v1/loans?limit=100', w.tokens.bankA).expect(200)).body.items as { id: string; bankCode: string }[];
    expect(loans.map((l) => l.id)).toContain(w.loanA);
    expect(new Set(loans.map((l) => l.bankCode))).toEqual(new Set([w.bankA]));
    const claims = (await get('/v1/claims?limit=100', w.tokens.bankA).expect(200)).body.items as { id: string }[];
    expect(claims.map((c) => c.id)).toEqual([w.claimA]);
    expect((await get(`/v1/borrowers/${w.borrowerA}`, w.tokens.bankA).expect(200)).body.code).toBe(w.borrowerA);
    // The reserve's band is over every bank's loans, read unrestricted on the bank's behalf.
    const mine = await get('/v1/reserve?asOf=2025-06-30', w.tokens.bankA).expect(200);
    const all = await get('/v1/reserve?asOf=2025-06-30', w.tokens.custodian).expect(200);
    expect(mine.body.outstandingLoans).toBe(all.body.outstandingLoans);
    expect(mine.body.band).toEqual(all.body.band);
    await get(`/v1/loans/${w.loanB}`, w.tokens.bankA).expect(404);
    await get(`/v1/claims/${w.claimB}`, w.tokens.bankA).expect(404);
    await get(`/v1/bank-reports/${w.reportB}`, w.tokens.bankA).expect(404);
  });
});
