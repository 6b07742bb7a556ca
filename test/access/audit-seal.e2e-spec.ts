import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { AuditSealer } from '../../src/audit/audit-sealer';
import { AuditService } from '../../src/audit/audit.service';
import { LedgerPostingService } from '../../src/ledger/ledger-posting.service';
import type { GroupCommit } from '../../src/ledger/posting/group-commit';
import type { AppConfig } from '../../src/config/app-config';
import { startTestApp, TestApp, uniqueCode } from '../support/test-app';

/**
 * Issue 16: audit rows are inserted unsealed by the request's transaction and chained after
 * commit by the sealer (docs/audit.md "Sealed after commit"). Each test on a database of its own
 * (the chain's figures are whole-table figures): with DATABASE_URL a fresh database on that
 * server, else an embedded database in a folder of its own, so that a second process can open it.
 */
interface Database {
  config: Partial<AppConfig>;
  drop(): Promise<void>;
}

async function freshDatabase(): Promise<Database> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const dir = mkdtempSync(join(tmpdir(), 'audit-seal-'));
    return { config: { dataDir: join(dir, 'db') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `rf_seal_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`).finally(() => admin.end());
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    config: { databaseUrl: url.toString() },
    drop: async () => {
      const c = new Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => c.end());
    },
  };
}

interface ChainFigures {
  rows: number;
  unsealed: number;
  distinctSeq: number;
  maxSeq: number;
  headSeq: number;
}

async function figures(t: TestApp): Promise<ChainFigures> {
  const [r] = (await t.dataSource.query(
    `SELECT count(*)::int AS rows, count(*) FILTER (WHERE seq IS NULL)::int AS unsealed, count(DISTINCT seq)::int AS "distinctSeq",
            coalesce(max(seq), 0)::int AS "maxSeq", (SELECT last_seq FROM audit_log_head)::int AS "headSeq"
       FROM audit_log`,
  )) as ChainFigures[];
  return r;
}

const verify = async (t: TestApp) => (await t.http.get('/v1/audit-log/verify').set('Authorization', t.auth).expect(200)).body as { ok: boolean; entries: number; headMatches: boolean; broken: unknown };

describe('audit trail sealed after commit (issue 16)', () => {
  const databases: Database[] = [];
  const apps: TestApp[] = [];
  const open = async (config: Partial<AppConfig>) => {
    const t = await startTestApp(config);
    apps.push(t);
    return t;
  };
  afterEach(async () => {
    for (const t of apps.splice(0).reverse()) await t.close().catch(() => undefined);
    for (const d of databases.splice(0)) await d.drop();
  });

  it('concurrent writes (two instances on PostgreSQL) are each sealed exactly once, in a gap-free chain that verify walks', async () => {
    const db = await freshDatabase();
    databases.push(db);
    const a = await open(db.config);
    // Two service instances share one chain on a real server; the embedded database is one process's.
    const b = process.env.DATABASE_URL ? await open(db.config) : a;
    const before = await figures(a);
    const sends = Array.from({ length: 40 }, (_, i) => {
      const t = i % 2 ? a : b;
      const req = t.http.post('/v1/banks').set('Authorization', t.auth);
      // Every third with an Idempotency-Key (the idempotency interceptor's transaction), every fifth refused (a detached row).
      if (i % 3 === 0) req.set('Idempotency-Key', uniqueCode('K'));
      return req.send(i % 5 === 0 ? { code: '', name: 'refused' } : { code: uniqueCode('BS'), name: `Bank ${i}` });
    });
    const answers = await Promise.all(sends);
    expect(answers.filter((r) => r.status === 201)).toHaveLength(32);
    expect(answers.filter((r) => r.status === 400)).toHaveLength(8);

    const v = await verify(a);
    expect(v).toMatchObject({ ok: true, headMatches: true, broken: null });
    const after = await figures(a);
    expect(after.rows - before.rows).toBe(40);
    expect(after).toEqual({ rows: after.rows, unsealed: 0, distinctSeq: after.rows, maxSeq: after.rows, headSeq: after.rows });
    expect(v.entries).toBe(after.rows);
    // Each request's row once, by its request id.
    const ids = answers.map((r) => r.headers['x-request-id'] as string);
    const seen = (await a.dataSource.query(`SELECT request_id, count(*)::int AS n FROM audit_log WHERE request_id = ANY($1) GROUP BY request_id`, [ids])) as { n: number }[];
    expect(seen).toHaveLength(40);
    expect(seen.every((r) => r.n === 1)).toBe(true);
  });

  it('ledger posts from HTTP are group-committed with their audit rows: each entry has its row, and an entry whose row cannot be written is not posted', async () => {
    const db = await freshDatabase();
    databases.push(db);
    const t = await open(db.config);
    const post = (path: string, body: object) => t.http.post(path).set('Authorization', t.auth).send(body);
    const book = `hs${randomUUID().slice(0, 6)}`;
    await post('/v1/ledger/books', { code: book, name: 'http hand-off' }).expect(201);
    await post('/v1/ledger/accounts', { book, code: `${book}:cash`, name: 'cash', type: 'asset', floor: '0.00' }).expect(201);
    await post('/v1/ledger/accounts', { book, code: `${book}:capital`, name: 'capital', type: 'equity' }).expect(201);
    const entry = (memo: string, amount: string) => ({
      book,
      effectiveDate: '2025-06-30',
      memo,
      lines: [
        { account: `${book}:cash`, debit: amount },
        { account: `${book}:capital`, credit: amount },
      ],
    });
    // Handed to the group-commit queue (no request transaction around them), not posted inside one.
    const commits = (t.app.get(LedgerPostingService) as unknown as { commits: GroupCommit }).commits;
    const enqueued = jest.spyOn(commits, 'enqueue');
    // The groups' handed-off audit inserts share the transaction's one connection: one at a time.
    const audit = t.app.get(AuditService);
    const recordIn = audit.recordIn.bind(audit);
    let running = 0;
    let mostAtOnce = 0;
    const inserts = jest.spyOn(audit, 'recordIn').mockImplementation(async (m, draft) => {
      mostAtOnce = Math.max(mostAtOnce, ++running);
      try {
        return await recordIn(m, draft);
      } finally {
        running -= 1;
      }
    });
    const posted = await Promise.all(Array.from({ length: 24 }, (_, i) => post('/v1/ledger/entries', entry(`hand-off ${i}`, `${i + 1}.00`))));
    const handedToQueue = enqueued.mock.calls.length;
    const handedOffInserts = inserts.mock.calls.length;
    enqueued.mockRestore();
    inserts.mockRestore();
    expect(handedOffInserts).toBe(24);
    expect(mostAtOnce).toBe(1);
    expect(posted.map((r) => r.status)).toEqual(Array(24).fill(201));
    expect(handedToQueue).toBe(24);
    const ids = posted.map((r) => r.body.id as string);
    const rows = (await t.dataSource.query(`SELECT target_ids[1] AS id, status, action FROM audit_log WHERE target_ids && $1::text[]`, [ids])) as { id: string; status: number; action: string }[];
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(new Set(rows.map((r) => `${r.action} ${r.status}`))).toEqual(new Set(['POST /v1/ledger/entries 201']));
    // 1 + 2 + … + 24 = 300.00 on the cash account, to the fen.
    const balance = (await t.http.get(`/v1/ledger/accounts/${encodeURIComponent(`${book}:cash`)}/balance?book=${book}`).set('Authorization', t.auth).expect(200)).body as { balance: string };
    expect(balance.balance).toBe('300.00');
    const batch = await post('/v1/ledger/entries/batch', { entries: [entry('batch a', '1.00'), entry('batch b', '2.00')] }).expect(201);
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'POST /v1/ledger/entries/batch' AND status = 201 AND request_id = $1`, [batch.headers['x-request-id']]))).toEqual([{ n: 1 }]);

    // The row and the entry commit together: an audit row the database refuses takes the entry with it.
    await t.dataSource.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_test_refuse_ledger CHECK (action <> 'POST /v1/ledger/entries' OR status >= 400) NOT VALID`);
    try {
      const refused = await post('/v1/ledger/entries', entry('no audit, no entry', '5.00'));
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(await t.dataSource.query(`SELECT id FROM ledger_entries WHERE memo = 'no audit, no entry'`)).toEqual([]);
    } finally {
      await t.dataSource.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_test_refuse_ledger`);
    }
    // With an Idempotency-Key the entry is posted in the request's transaction, as before, with its row.
    const keyed = await post('/v1/ledger/entries', entry('keyed', '7.00')).set('Idempotency-Key', uniqueCode('K'));
    expect(keyed.status).toBe(201);
    const v = await verify(t);
    expect(v).toMatchObject({ ok: true, headMatches: true });
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM audit_log WHERE $1 = ANY(target_ids) AND status = 201`, [keyed.body.id]))).toEqual([{ n: 1 }]);
  });

  it('a stray seal (a seq gap, a forged hash) is refused at commit; should sealing be blocked all the same, the trail stays readable and verify says so', async () => {
    const db = await freshDatabase();
    databases.push(db);
    const first = await open(db.config);
    await first.http.post('/v1/banks').set('Authorization', first.auth).send({ code: uniqueCode('BS'), name: 'sealed before' }).expect(201);
    await verify(first);
    await first.app.get(AuditSealer).stop();
    for (let i = 0; i < 3; i += 1) await first.http.post('/v1/banks').set('Authorization', first.auth).send({ code: uniqueCode('BS'), name: 'committed, not sealed' }).expect(201);
    const committed = await figures(first);
    expect(committed).toMatchObject({ unsealed: 3 });
    const head = committed.headSeq;
    const [stray] = (await first.dataSource.query(`SELECT id FROM audit_log WHERE seq IS NULL ORDER BY id LIMIT 1 OFFSET 1`)) as { id: string }[];

    // Migration 1733930000000: at commit, a sealed row lies within the head and follows the hash of the row before it.
    const forge = (seq: number, prevHash: string) =>
      first.dataSource.query(`UPDATE audit_log SET seq = $1, prev_hash = $2, hash = repeat('b', 64) WHERE id = $3`, [seq, prevHash, stray.id]);
    await expect(forge(head + 5, 'a'.repeat(64))).rejects.toThrow(/AUDIT\.APPEND_ONLY.*beyond the head/);
    await expect(forge(head + 1, 'a'.repeat(64))).rejects.toThrow(/AUDIT\.APPEND_ONLY/);
    // Head moved onto the forged row in the same transaction: the head guard is satisfied, the chain is not.
    const runner = first.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await runner.query(`UPDATE audit_log SET seq = $1, prev_hash = repeat('a', 64), hash = repeat('b', 64) WHERE id = $2`, [head + 1, stray.id]);
      await runner.query(`UPDATE audit_log_head SET last_seq = $1, last_hash = repeat('b', 64)`, [head + 1]);
      await expect(runner.commitTransaction()).rejects.toThrow(/AUDIT\.APPEND_ONLY.*does not follow the hash/);
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
    expect(await figures(first)).toEqual(committed);

    // Blocked all the same (the owner switches the check off): a row sealed beyond the head, which the sealer cannot get past.
    await first.dataSource.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_sealed_in_chain`);
    try {
      await forge(head + 5, 'a'.repeat(64));
    } finally {
      await first.dataSource.query(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_sealed_in_chain`);
    }
    await first.close();
    apps.splice(apps.indexOf(first), 1);

    const next = await open(db.config);
    // Verify answers, and says the chain cannot take the committed rows.
    const v = (await next.http.get('/v1/audit-log/verify').set('Authorization', next.auth).expect(200)).body as Record<string, unknown>;
    expect(v).toEqual({
      ok: false,
      entries: head,
      head: expect.stringMatching(/^[0-9a-f]{64}$/),
      broken: { seq: head + 5, reason: 'sequence_gap' },
      headMatches: false,
      unsealed: 2,
      sealError: 'AUDIT.APPEND_ONLY',
    });
    // The list reads what is sealed, the stray row included (verify found it above).
    const list = (await next.http.get('/v1/audit-log').set('Authorization', next.auth).expect(200)).body as { items: { seq: number }[] };
    expect(list.items.map((r) => r.seq)).toEqual([head + 5, ...Array.from({ length: head }, (_, i) => head - i)]);
    expect(await figures(next)).toMatchObject({ unsealed: 2, headSeq: head });
    // The export too: a header line and the sealed rows.
    const csv = await next.http.get('/v1/audit-log/export').set('Authorization', next.auth).expect(200);
    expect(csv.text.trim().split('\r\n').length).toBe(1 + head + 1);

    // A failure once the CSV's first bytes are out ends the response (the connection is cut) instead of leaving it open.
    const audit = next.app.get(AuditService);
    const all = jest.spyOn(audit, 'all').mockImplementation(async function* () {
      yield [];
      throw new Error('the database went away mid-export');
    });
    try {
      const cut = await next.http
        .get('/v1/audit-log/export')
        .set('Authorization', next.auth)
        .timeout(30_000)
        .then(
          () => null,
          (e: { code?: string; message?: string; timeout?: number }) => e,
        );
      expect(cut).not.toBeNull();
      expect(cut?.timeout).toBeUndefined();
      expect(cut?.code ?? cut?.message).toMatch(/ECONNRESET|socket hang up|aborted/i);
    } finally {
      all.mockRestore();
    }
  });

  it('a crash between commit and seal loses nothing: the next process on the database seals every row once', async () => {
    const db = await freshDatabase();
    databases.push(db);
    const first = await open(db.config);
    await first.http.post('/v1/banks').set('Authorization', first.auth).send({ code: uniqueCode('BS'), name: 'sealed before' }).expect(201);
    await verify(first);
    const sealedBefore = await figures(first);
    expect(sealedBefore).toMatchObject({ unsealed: 0 });

    // The process stops sealing (as a crash would, right after its commits), then writes.
    await first.app.get(AuditSealer).stop();
    const codes = [uniqueCode('BS'), uniqueCode('BS'), uniqueCode('BS')];
    for (const code of codes) await first.http.post('/v1/banks').set('Authorization', first.auth).send({ code, name: 'committed, not sealed' }).expect(201);
    await first.http.post('/v1/banks').set('Authorization', first.auth).set('Idempotency-Key', uniqueCode('K')).send({ code: codes[0], name: 'a duplicate' }).expect(409);
    const committed = await figures(first);
    expect(committed).toEqual({ ...sealedBefore, rows: sealedBefore.rows + 4, unsealed: 4 });

    // The database lets through the seal only: no other change to an unsealed row, no sealed row inserted, no head moved by hand.
    await expect(first.dataSource.query(`UPDATE audit_log SET action = 'POST /v1/agencies' WHERE seq IS NULL`)).rejects.toThrow(/AUDIT\.APPEND_ONLY/);
    await expect(first.dataSource.query(`UPDATE audit_log SET seq = 1000, prev_hash = repeat('0', 64), hash = repeat('1', 64), status = 200 WHERE seq IS NULL`)).rejects.toThrow(/AUDIT\.APPEND_ONLY/);
    await expect(first.dataSource.query(`UPDATE audit_log SET seq = seq + 100 WHERE seq IS NOT NULL`)).rejects.toThrow(/AUDIT\.APPEND_ONLY/);
    await expect(first.dataSource.query(`DELETE FROM audit_log WHERE seq IS NULL`)).rejects.toThrow(/AUDIT\.APPEND_ONLY/);
    await expect(
      first.dataSource.query(`INSERT INTO audit_log (occurred_at, action, status, seq, prev_hash, hash) VALUES (now(), 'POST /v1/banks', 201, 99, repeat('0', 64), repeat('0', 64))`),
    ).rejects.toThrow(/AUDIT\.APPEND_ONLY/);
    await expect(first.dataSource.query(`UPDATE audit_log_head SET last_seq = last_seq + 1, last_hash = repeat('0', 64)`)).rejects.toThrow(/AUDIT\.APPEND_ONLY/);
    expect(await figures(first)).toEqual(committed);
    await first.close();
    apps.splice(apps.indexOf(first), 1);

    const next = await open(db.config);
    const v = await verify(next);
    expect(v).toMatchObject({ ok: true, headMatches: true, broken: null, entries: committed.rows });
    expect(await figures(next)).toEqual({ rows: committed.rows, unsealed: 0, distinctSeq: committed.rows, maxSeq: committed.rows, headSeq: committed.rows });
    // Sealed after the rows sealed before, in the order they were written.
    const sealedNow = (await next.dataSource.query(`SELECT seq::int, action, status, target_ids FROM audit_log WHERE seq > $1 ORDER BY seq`, [sealedBefore.maxSeq])) as {
      seq: number;
      status: number;
      target_ids: string[];
    }[];
    expect(sealedNow.map((r) => [r.seq, r.status, r.target_ids[0]])).toEqual([
      [sealedBefore.maxSeq + 1, 201, codes[0]],
      [sealedBefore.maxSeq + 2, 201, codes[1]],
      [sealedBefore.maxSeq + 3, 201, codes[2]],
      [sealedBefore.maxSeq + 4, 409, codes[0]],
    ]);
    // A second pass finds nothing to seal: sealed once.
    await next.app.get(AuditSealer).sealed();
    expect(await figures(next)).toEqual({ rows: committed.rows, unsealed: 0, distinctSeq: committed.rows, maxSeq: committed.rows, headSeq: committed.rows });
    const list = (await next.http.get(`/v1/audit-log?target=${codes[1]}`).set('Authorization', next.auth).expect(200)).body as { items: { seq: number; hash: string }[] };
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ seq: sealedBefore.maxSeq + 2, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});
