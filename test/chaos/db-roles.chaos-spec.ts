import { Client } from 'pg';
import { Figures } from './support/figures';
import { PrivateCluster } from './support/postgres-cluster';
import { ServiceProcess } from './support/service';
import { ok, seedWorld } from './support/world';

/**
 * Issue 10 item 6, the database as a second wall: on a private cluster, an owner role that runs
 * the migrations (DATABASE_OWNER_URL) and an application role the service runs as (DATABASE_URL),
 * neither a superuser. The service migrates as the owner, grants the application role its
 * privileges (migration 1733110000000), and serves the whole programme as the application role;
 * that role, connected directly as an attacker holding the service's credentials would, cannot
 * disable or drop the ledger's triggers, truncate, grant, change or delete a journal row.
 *
 * The single-URL mode (as before) is checked too: /health says so, with what that allows.
 */
describe('the database as a second wall: migrations as the owner, the service as an application role', () => {
  const figures = new Figures('Database roles (db-roles.chaos-spec.ts)');
  const database = 'rf_chaos_roles';
  let cluster: PrivateCluster;
  let service: ServiceProcess;
  let app: Client;

  beforeAll(async () => {
    cluster = await PrivateCluster.start();
    await cluster.query('postgres', `CREATE ROLE rf_owner LOGIN`);
    await cluster.query('postgres', `CREATE ROLE rf_app LOGIN`);
    await cluster.query('postgres', `CREATE DATABASE ${database} OWNER rf_owner`);
    // Before PostgreSQL 15 every role may create tables in the public schema; an operator revokes it.
    await cluster.query(database, `REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    const url = (role: string) => `postgres://${role}@127.0.0.1:${cluster.port}/${database}`;
    service = new ServiceProcess({ databaseUrl: url('rf_app'), env: { DATABASE_OWNER_URL: url('rf_owner') } });
    await service.start();
    app = new Client({ connectionString: url('rf_app') });
    app.on('error', () => undefined);
    await app.connect();
  });

  afterAll(async () => {
    figures.print();
    await app?.end().catch(() => undefined);
    await service?.stop();
    await cluster?.destroy();
  });

  it('/health names the two roles; the tables belong to the owner', async () => {
    const health = await service.request('GET', '/health');
    expect(health.status).toBe(200);
    expect((health.json as { database: { roles: unknown } }).database.roles).toEqual({ mode: 'separate', service: 'rf_app', migrations: 'rf_owner', warnings: [] });
    const owners = await cluster.query<{ owner: string; n: number }>(database, `SELECT tableowner AS owner, count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' GROUP BY tableowner`);
    expect(owners.map((o) => o.owner)).toEqual(['rf_owner']);
  });

  it('the whole programme is served as the application role: parties, loans, claims, approval, payout, funding, ledger, tokens', async () => {
    const world = await seedWorld(service);
    // Four eyes (issue #15): the batch is approved by another token than the trustee's that recommended the claims.
    const approver = (await ok(service.request('POST', '/v1/tokens', { body: { role: 'approver' } }), 'approver token')).token as string;
    await ok(service.request('POST', '/v1/approval-batches', { body: { claimIds: world.claims, approvedOn: '2025-09-30' }, token: approver }), 'approval batch');
    await ok(service.request('POST', `/v1/claims/${world.claims[0]}/payout`, { body: { paidOn: '2025-10-10' } }), 'payout');
    const entry = await ok(
      service.request('POST', '/v1/ledger/entries', {
        headers: { 'Idempotency-Key': 'roles-entry-1' },
        body: { book: world.books[2], effectiveDate: '2025-01-11', memo: 'as the application role', lines: [{ account: world.accounts[0], credit: '10.00' }, { account: world.accounts[1], debit: '10.00' }] },
      }),
      'entry',
    );
    await ok(service.request('POST', `/v1/ledger/entries/${entry.id as string}/reverse`, { body: { effectiveDate: '2025-01-12', memo: 'reversed' } }), 'reverse');
    await ok(service.request('POST', '/v1/ledger/periods/2024Q4/close', { body: { book: world.books[2] } }), 'close period');
    for (const book of ['reserve', 'margin', world.books[2]]) {
      expect((await service.request('GET', `/v1/ledger/verify?book=${book}`)).json).toMatchObject({ ok: true });
    }
    // The audit trail is sealed after commit by the application role (UPDATE of the three seal columns only, issue 16).
    const audit = (await service.request('GET', '/v1/audit-log/verify')).json as { ok: boolean; entries: number };
    expect(audit).toMatchObject({ ok: true, headMatches: true });
    expect(audit.entries).toBeGreaterThan(10);
    const unsealed = await cluster.query<{ n: number }>(database, `SELECT count(*)::int AS n FROM audit_log WHERE seq IS NULL`);
    expect(unsealed).toEqual([{ n: 0 }]);
    const columns = await cluster.query<{ column_name: string }>(
      database,
      `SELECT column_name FROM information_schema.column_privileges WHERE grantee = 'rf_app' AND table_name = 'audit_log' AND privilege_type = 'UPDATE' ORDER BY 1`,
    );
    expect(columns.map((c) => c.column_name)).toEqual(['hash', 'prev_hash', 'seq']);
    // A stray seal by the application role — a seq gap, forged hashes — is refused at commit (migration 1733930000000),
    // so it cannot block the sealer: the row is sealed in its place by the next pass.
    const [stray] = (await app.query<{ id: string }>(`INSERT INTO audit_log (occurred_at, action, status) VALUES (now(), 'POST /v1/stray-seal', 201) RETURNING id`)).rows;
    const forged = await app
      .query(`UPDATE audit_log SET seq = (SELECT last_seq FROM audit_log_head) + 5, prev_hash = repeat('a', 64), hash = repeat('b', 64) WHERE id = $1`, [stray.id])
      .then(
        () => null,
        (e: { code?: string; message?: string }) => e,
      );
    expect([forged?.code, forged?.message]).toEqual(['P0001', expect.stringMatching(/^AUDIT\.APPEND_ONLY: .*beyond the head/)]);
    const after = (await service.request('GET', '/v1/audit-log/verify')).json as { ok: boolean; entries: number; unsealed: number; sealError: string | null };
    expect(after).toMatchObject({ ok: true, headMatches: true, sealError: null });
    expect(await cluster.query<{ sealed: boolean }>(database, `SELECT seq IS NOT NULL AND seq <= $2 AS sealed FROM audit_log WHERE id = $1`, [stray.id, after.entries])).toEqual([{ sealed: true }]);
    expect(service.processErrors).toEqual([]);
  });

  it('row-level security holds for the application role itself (issue #15 item 4): walled to a bank, an unfiltered query sees that bank’s loans only; no party stated, none', async () => {
    const world = await seedWorld(service);
    const [bankA, bankB] = world.banks;
    // The application role owns nothing: no role switch, the policies apply to it as it is.
    expect((await service.request('GET', '/health')).json).toMatchObject({ database: { roles: { mode: 'separate', service: 'rf_app' } } });
    const all = await cluster.query<{ bank: string }>(database, `SELECT DISTINCT bank_code AS bank FROM loans WHERE bank_code = ANY($1) ORDER BY 1`, [world.banks]);
    expect(all.map((r) => r.bank)).toEqual([bankA, bankB].sort());
    // A direct connection that states no party (no startup option): nothing.
    expect((await app.query('SELECT count(*)::int AS n FROM loans')).rows).toEqual([{ n: 0 }]);
    expect((await app.query('SELECT count(*)::int AS n FROM claims')).rows).toEqual([{ n: 0 }]);
    const walled = async (type: string, partyCode: string) => {
      await app.query('BEGIN');
      try {
        await app.query(`SELECT set_config('app.party_type', $1, true), set_config('app.party_code', $2, true)`, [type, partyCode]);
        return (await app.query<{ bank: string }>('SELECT DISTINCT bank_code AS bank FROM loans WHERE bank_code = ANY($1) ORDER BY 1', [world.banks])).rows.map((r) => r.bank);
      } finally {
        await app.query('COMMIT');
      }
    };
    expect(await walled('bank', bankA)).toEqual([bankA]);
    expect(await walled('bank', bankB)).toEqual([bankB]);
    expect(await walled('system', '')).toEqual([bankA, bankB].sort());
    // Bank A's token through the service: its own loans, walled and filtered.
    const bankToken = world.tokens.find((x) => x.role === 'bank')?.token as string;
    const loans = await ok(service.request('GET', '/v1/loans?limit=100', { token: bankToken }), 'loans of bank A');
    const items = loans.items as { id: string; bankCode: string }[];
    expect(items.map((l) => l.id)).toContain(world.loans[0]);
    expect(new Set(items.map((l) => l.bankCode))).toEqual(new Set([bankA]));
    expect((await service.request('GET', `/v1/loans/${world.loans[1]}`, { token: bankToken })).status).toBe(404);
  });

  const refused: [string, string][] = [
    ['disable the journal triggers', 'ALTER TABLE ledger_entries DISABLE TRIGGER ALL'],
    ['drop a trigger', 'DROP TRIGGER ledger_entries_no_change ON ledger_entries'],
    ['replace the trigger function', `CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`],
    ['truncate the journal', 'TRUNCATE ledger_lines'],
    ['truncate a balance table', 'TRUNCATE ledger_accounts CASCADE'],
    ['update a journal row', `UPDATE ledger_entries SET memo = 'tampered'`],
    ['update a journal line', `UPDATE ledger_lines SET amount = amount + 1000000`],
    ['delete a journal row', 'DELETE FROM ledger_lines'],
    ['delete a funding', 'DELETE FROM reserve_fundings'],
    ['update a margin event', `UPDATE agency_margin_events SET amount = 0`],
    ['rewrite the audit trail', `UPDATE audit_log SET actor_role = 'auditor'`],
    ['delete from the audit trail', 'DELETE FROM audit_log'],
    ['disable the audit trail triggers', 'ALTER TABLE audit_log DISABLE TRIGGER ALL'],
    ['switch triggers off for the session', `SET session_replication_role = replica`],
    ['create a table', 'CREATE TABLE shadow (id int)'],
    ['grant itself the owner role', 'GRANT rf_owner TO rf_app'],
    ['run the grant function', `SELECT grant_application_role('rf_app')`],
  ];

  it.each(refused)('the application role cannot %s', async (_what, sql) => {
    const error = await app.query(sql).then(
      () => null,
      (e: { code?: string; message?: string }) => e,
    );
    expect(error).not.toBeNull();
    expect([sql, error?.code]).toEqual([sql, '42501']);
    figures.add({ attempt: _what, statement: sql.slice(0, 60), answer: `${error?.code} ${error?.message}` });
  });

  it('a GRANT by the application role grants nothing (it holds no grant option)', async () => {
    await app.query('GRANT TRUNCATE, UPDATE, DELETE ON ledger_entries TO rf_app').catch(() => undefined);
    await app.query('GRANT ALL ON ledger_lines TO PUBLIC').catch(() => undefined);
    const privileges = await cluster.query<{ truncate: boolean; update: boolean; del: boolean; publicLines: boolean }>(
      database,
      `SELECT has_table_privilege('rf_app', 'ledger_entries', 'TRUNCATE') AS truncate, has_table_privilege('rf_app', 'ledger_entries', 'UPDATE') AS update,
              has_table_privilege('rf_app', 'ledger_entries', 'DELETE') AS del, has_table_privilege('public', 'ledger_lines', 'DELETE') AS "publicLines"`,
    );
    expect(privileges).toEqual([{ truncate: false, update: false, del: false, publicLines: false }]);
    await expect(app.query('TRUNCATE ledger_entries')).rejects.toMatchObject({ code: '42501' });
  });

  it('what it may do, it does through the rules: INSERT and SELECT on the journal, UPDATE of balances', async () => {
    const privileges = await cluster.query<{ relname: string; privileges: string }>(
      database,
      `SELECT t AS relname, string_agg(p, ',' ORDER BY p) AS privileges
         FROM unnest($1::text[]) t, unnest(ARRAY['DELETE', 'INSERT', 'REFERENCES', 'SELECT', 'TRIGGER', 'TRUNCATE', 'UPDATE']) p
        WHERE has_table_privilege('rf_app', t, p) GROUP BY t ORDER BY t`,
      [['ledger_entries', 'ledger_lines', 'ledger_period_closes', 'ledger_accounts', 'ledger_verify_checkpoints', 'idempotency_keys', 'migrations']],
    );
    expect(privileges).toEqual([
      { relname: 'idempotency_keys', privileges: 'INSERT,SELECT,UPDATE' },
      { relname: 'ledger_accounts', privileges: 'INSERT,SELECT,UPDATE' },
      { relname: 'ledger_entries', privileges: 'INSERT,SELECT' },
      { relname: 'ledger_lines', privileges: 'INSERT,SELECT' },
      { relname: 'ledger_period_closes', privileges: 'INSERT,SELECT' },
      // Verify removes a book's checkpoint when it finds the chain broken.
      { relname: 'ledger_verify_checkpoints', privileges: 'DELETE,INSERT,SELECT,UPDATE' },
      { relname: 'migrations', privileges: 'SELECT' },
    ]);
  });

  it('restarted, the service migrates nothing new and grants again; with one URL it says what that allows', async () => {
    await service.stop();
    await service.start();
    expect((await service.request('GET', '/health')).json).toMatchObject({ database: { roles: { mode: 'separate', warnings: [] } } });
    const single = new ServiceProcess({ databaseUrl: `postgres://rf_owner@127.0.0.1:${cluster.port}/${database}` });
    try {
      await single.start();
      const roles = ((await single.request('GET', '/health')).json as { database: { roles: { mode: string; service: string; warnings: string[] } } }).database.roles;
      expect(roles).toMatchObject({ mode: 'single', service: 'rf_owner' });
      expect(roles.warnings).toEqual([
        'one role runs migrations and the service (DATABASE_OWNER_URL not set)',
        expect.stringMatching(/^the service's role "rf_owner" owns \d+ table\(s\): it could disable their triggers, truncate or grant$/),
      ]);
    } finally {
      await single.stop();
    }
  });
});
