import { randomUUID } from 'node:crypto';
import { RawRequestError, type RawResponse } from '../support/raw-http';
import { Figures } from '../chaos/support/figures';
import { sleep, waitFor } from '../chaos/support/processes';
import { FAULT_QUARTER, seedQuarterWorld } from '../chaos/support/quarter-world';
import type { ServiceProcess } from '../chaos/support/service';
import { code, disbursedLoan, ok, recommendedClaim } from '../chaos/support/world';
import { TestCluster } from './support/cluster';

/** The bounds the instances run with here (short, so the tests wait little). */
const TOKEN_CACHE_SECONDS = 2;
const RATE_LIMIT_PER_MINUTE = 600;
const HEARTBEAT_SECONDS = 2;
const READ_REPLICA_MAX_LAG_MS = 2000;

const json = (r: RawResponse) => r.json as Record<string, unknown>;
const errorCode = (r: RawResponse) => (r.status >= 400 ? ((r.json as { code?: string } | null)?.code ?? null) : null);

/**
 * Issue 19: three instances of the service, one PostgreSQL primary (plus its streaming replica)
 * and one Redis behave as one service. Each test drives all three instances at once and checks
 * the rows, not only the answers.
 */
describe('three instances, one fund', () => {
  const figures = new Figures('three instances on one PostgreSQL and one Redis (instances.cluster-spec.ts)');
  let cluster: TestCluster;
  let s: ServiceProcess[];
  const book = `cl${randomUUID().slice(0, 6)}`;
  const deposit = `${book}:deposit:BANK01`;

  beforeAll(async () => {
    cluster = await TestCluster.start({
      database: 'rf_cluster',
      instances: 3,
      env: {
        TOKEN_CACHE_SECONDS: String(TOKEN_CACHE_SECONDS),
        RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT_PER_MINUTE),
        HEARTBEAT_SECONDS: String(HEARTBEAT_SECONDS),
        READ_REPLICA_MAX_LAG_MS: String(READ_REPLICA_MAX_LAG_MS),
      },
    });
    s = cluster.services;
    await ok(s[0].request('POST', '/v1/ledger/books', { body: { code: book, name: 'cluster book' } }), 'book');
    await ok(s[1].request('POST', '/v1/ledger/accounts', { body: { book, code: deposit, name: 'Deposit', type: 'asset', floor: '0.00' } }), 'deposit');
    await ok(s[2].request('POST', '/v1/ledger/accounts', { body: { book, code: `${book}:capital`, name: 'Capital', type: 'equity' } }), 'capital');
    await ok(s[0].request('POST', '/v1/ledger/accounts', { body: { book, code: `${book}:expense:fees`, name: 'Fees', type: 'expense' } }), 'expense');
  });

  afterAll(async () => {
    figures.print();
    await cluster?.stop();
  });

  afterEach(() => {
    for (const x of s ?? []) expect(x.processErrors).toEqual([]);
  });

  /** Sends until the answer is clear: a 409 CONFLICT.RETRY or a 503 is sent again after a pause, as a client would. */
  async function clear(send: () => Promise<RawResponse>, resendLost = true): Promise<RawResponse> {
    for (let attempt = 0; ; attempt++) {
      let r: RawResponse;
      try {
        r = await send();
      } catch (error) {
        // A keep-alive connection the instance closed as idle just as the request went out (ECONNRESET,
        // "socket hang up"): sent again when that is safe — a read, or a write under its Idempotency-Key.
        if (!resendLost || !(error instanceof RawRequestError) || error.kind !== 'network' || attempt >= 3) throw error;
        continue;
      }
      if (!(r.status === 503 || errorCode(r) === 'CONFLICT.RETRY') || attempt >= 20) return r;
      await sleep(200);
    }
  }

  it('300 debits raced over the three instances: exactly the affordable 123 are accepted, the rest refused at the floor', async () => {
    await ok(
      s[0].request('POST', '/v1/ledger/entries', {
        body: { book, effectiveDate: '2025-01-10', memo: 'funding', lines: [{ account: deposit, debit: '123.00' }, { account: `${book}:capital`, credit: '123.00' }] },
      }),
      'funding',
    );
    // A custodian token of their own: the 300 calls stay clear of the admin token's rate limit.
    const custodian = (await ok(s[0].request('POST', '/v1/tokens', { body: { role: 'custodian' } }), 'custodian')).token as string;
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) => {
        const body = { book, effectiveDate: '2025-01-11', memo: `debit-${i}`, lines: [{ account: `${book}:expense:fees`, debit: '1.00' }, { account: deposit, credit: '1.00' }] };
        // Half with an Idempotency-Key (posted in the request's transaction), half without (group commit).
        const headers = i % 2 === 0 ? { 'Idempotency-Key': `debit-${book}-${i}` } : undefined;
        return clear(() => s[i % 3].request('POST', '/v1/ledger/entries', { body, headers, token: custodian, timeoutMs: 60_000 }), headers !== undefined);
      }),
    );
    const kinds: Record<string, number> = {};
    for (const r of answers) kinds[`${r.status} ${errorCode(r) ?? ''}`.trim()] = (kinds[`${r.status} ${errorCode(r) ?? ''}`.trim()] ?? 0) + 1;
    expect(kinds).toEqual({ '201': 123, '422 LEDGER.FLOOR_BREACH': 177 });
    const [acct] = await cluster.query<{ debits: string; credits: string }>(`SELECT debits::text, credits::text FROM ledger_accounts WHERE code = $1`, [deposit]);
    expect(acct).toEqual({ debits: '123.00', credits: '123.00' });
    const accepted = answers.map((r, i) => (r.status === 201 ? `debit-${i}` : null)).filter((m): m is string => m !== null).sort();
    const rows = await cluster.query<{ memo: string }>(`SELECT memo FROM ledger_entries WHERE book = $1 AND memo LIKE 'debit-%' ORDER BY memo`, [book]);
    expect(rows.map((r) => r.memo)).toEqual(accepted);
    const verify = await s[2].request('GET', `/v1/ledger/verify?book=${book}&full=true`);
    expect([verify.status, json(verify).ok, json(verify).entries]).toEqual([200, true, 124]);
    figures.add({ scenario: '300 racing debits', answers: JSON.stringify(kinds) });
  });

  it('one Idempotency-Key sent to all three at once: one entry, three identical answers', async () => {
    const key = `same-${randomUUID()}`;
    const body = { book, effectiveDate: '2025-01-12', memo: key, lines: [{ account: deposit, debit: '5.00' }, { account: `${book}:capital`, credit: '5.00' }] };
    const answers = await Promise.all(s.map((x) => clear(() => x.request('POST', '/v1/ledger/entries', { body, headers: { 'Idempotency-Key': key } }))));
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(answers[1].json).toEqual(answers[0].json);
    expect(answers[2].json).toEqual(answers[0].json);
    expect(answers.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(2);
    const rows = await cluster.query<{ id: string }>(`SELECT id FROM ledger_entries WHERE memo = $1`, [key]);
    expect(rows.map((r) => r.id)).toEqual([json(answers[0]).id]);
  });

  it(`a revoked token stops working on every instance within the token cache bound (${TOKEN_CACHE_SECONDS} s)`, async () => {
    const issued = json(await clear(() => s[0].request('POST', '/v1/tokens', { body: { role: 'auditor' } })));
    const token = issued.token as string;
    // Every instance has looked it up (and cached it).
    expect((await Promise.all(s.map((x) => x.request('GET', '/v1/tokens/me', { token })))).map((r) => r.status)).toEqual([200, 200, 200]);
    const revokedAt = Date.now();
    expect((await s[1].request('DELETE', `/v1/tokens/${issued.id as string}`)).status).toBe(204);
    // At once on the instance that revoked it.
    expect((await s[1].request('GET', '/v1/tokens/me', { token })).status).toBe(401);
    const seen = await Promise.all(
      s.map((x) => waitFor('the revocation', async () => (await x.request('GET', '/v1/tokens/me', { token })).status === 401, 30_000, 50).then(() => Date.now() - revokedAt)),
    );
    figures.add({ scenario: 'token revocation', answers: `refused on each instance after ${seen.join(', ')} ms (bound ${TOKEN_CACHE_SECONDS * 1000} ms)` });
    // Past the bound, whatever each instance had cached: refused everywhere.
    await sleep(Math.max(0, TOKEN_CACHE_SECONDS * 1000 + 250 - (Date.now() - revokedAt)));
    expect((await Promise.all(s.map((x) => x.request('GET', '/v1/tokens/me', { token })))).map((r) => [r.status, errorCode(r)])).toEqual([
      [401, 'AUTH.UNAUTHENTICATED'],
      [401, 'AUTH.UNAUTHENTICATED'],
      [401, 'AUTH.UNAUTHENTICATED'],
    ]);
  });

  it(`the rate limit is one per token across the instances (Redis): ${RATE_LIMIT_PER_MINUTE + 150} calls over three instances → ${RATE_LIMIT_PER_MINUTE} answered, 150 refused`, async () => {
    const token = json(await clear(() => s[0].request('POST', '/v1/tokens', { body: { role: 'auditor' } }))).token as string;
    const total = RATE_LIMIT_PER_MINUTE + 150;
    const statuses: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 24 }, async () => {
        while (next < total) {
          const i = next++;
          const r = await clear(() => s[i % 3].request('GET', '/v1/tokens/me', { token }));
          statuses.push(r.status === 429 && errorCode(r) === 'REQUEST.TOO_MANY' && r.headers['retry-after'] ? 429 : r.status);
        }
      }),
    );
    const count = (status: number) => statuses.filter((x) => x === status).length;
    expect([count(200), count(429), statuses.length]).toEqual([RATE_LIMIT_PER_MINUTE, 150, total]);
  });

  describe('kill -9 of one instance during payouts; a schedule due while it is down', () => {
    const claims: string[] = [];

    beforeAll(async () => {
      const banks = [code('CB'), code('CB')];
      for (const b of banks) await ok(s[0].request('POST', '/v1/banks', { body: { code: b, name: `Bank ${b}` } }), 'bank');
      const agency = code('CA');
      await ok(s[1].request('POST', '/v1/agencies', { body: { code: agency, name: 'Agency', feeRate: '0.01', joinedOn: '2021-01-01' } }), 'agency');
      for (const b of banks) await ok(s[2].request('POST', '/v1/agreements', { body: { bankCode: b, agencyCode: agency, signedOn: '2021-01-01' } }), 'agreement');
      const borrower = code('CR');
      await ok(
        s[0].request('POST', '/v1/borrowers', { body: { code: borrower, name: 'Borrower', highTech: true, techSme: false, revenues: [{ year: 2023, amount: '18000000.00' }] } }),
        'borrower',
      );
      claims.push(
        ...(await Promise.all(
          Array.from({ length: 15 }, async (_, i) => recommendedClaim(s[i % 3], await disbursedLoan(s[i % 3], banks[i % 2], agency, borrower, '100000.00'), '100000.00')),
        )),
      );
      const approver = (await ok(s[1].request('POST', '/v1/tokens', { body: { role: 'approver' } }), 'approver')).token as string;
      await ok(s[2].request('POST', '/v1/approval-batches', { body: { claimIds: claims, approvedOn: '2025-09-30' }, token: approver }), 'batch');
      for (const b of banks) {
        await ok(s[0].request('POST', '/v1/reserve/funding', { body: { bankCode: b, amount: '5000000.00', fundedOn: '2025-01-15', reference: code('F') } }), 'funding');
      }
    });

    it('the other two carry on; every payout retried through another instance is applied once', async () => {
      type Payout = { claim: string; key: string; via: number; status: number | null; replayed: boolean };
      const payouts: Payout[] = claims.map((claim, i) => ({ claim, key: `payout-${claim}`, via: i % 3, status: null, replayed: false }));
      const send = async (p: Payout, via: number) => {
        try {
          const r = await clear(() => s[via].request('POST', `/v1/claims/${p.claim}/payout`, { body: { paidOn: '2025-10-10' }, headers: { 'Idempotency-Key': p.key }, timeoutMs: 30_000 }));
          p.status = r.status;
          p.replayed = r.headers['idempotent-replayed'] === 'true';
        } catch {
          p.status = null;
        }
      };
      // The kill lands once the doomed instance has answered its first payout: the rest of its share
      // is in flight (queued on its connections or committing) at that moment.
      let firstOfTheDoomed: () => void = () => undefined;
      const answeredOne = new Promise<void>((resolve) => (firstOfTheDoomed = resolve));
      const inFlight = Promise.all(
        payouts.map(async (p) => {
          await send(p, p.via);
          if (p.via === 2) firstOfTheDoomed();
        }),
      );
      await Promise.race([answeredOne, sleep(3_000)]);
      await s[2].kill();
      await inFlight;
      // The two others answered every payout sent to them, each with its result.
      expect(payouts.filter((p) => p.via !== 2).map((p) => [p.claim, p.status])).toEqual(payouts.filter((p) => p.via !== 2).map((p) => [p.claim, 200]));
      // Those sent to the killed one without an answer are retried, with their keys, through instance 0.
      const unclear = payouts.filter((p) => p.status === null || p.status >= 500);
      for (const p of unclear) await send(p, 0);
      expect(unclear.map((p) => [p.claim, p.status])).toEqual(unclear.map((p) => [p.claim, 200]));
      figures.add({
        scenario: 'kill -9 during payouts',
        answers: `${payouts.filter((p) => p.via === 2).length} payouts sent to the killed instance: ${unclear.length} unanswered, retried through another (${unclear.filter((p) => p.replayed).length} had committed before the kill, answered from their key)`,
      });
      // Each claim paid once: one payout entry, legs adding up to its compensation.
      const rows = await cluster.query<{ id: string; status: string; entries: number; legs_match: boolean }>(
        `SELECT c.id, c.status,
                (SELECT count(*)::int FROM ledger_entries e WHERE e.link_type = 'claim' AND e.link_id = c.id::text AND e.memo LIKE 'Compensation paid%') AS entries,
                (SELECT sum(amount) FROM claim_payout_legs l WHERE l.claim_id = c.id) = c.compensation AS legs_match
           FROM claims c WHERE c.id = ANY($1::uuid[]) ORDER BY c.id`,
        [claims],
      );
      expect(rows).toEqual([...claims].sort().map((id) => ({ id, status: 'paid', entries: 1, legs_match: true })));
      for (const b of ['reserve']) {
        const v = await s[0].request('GET', `/v1/ledger/verify?book=${b}&full=true`);
        expect([b, v.status, json(v).ok]).toEqual([b, 200, true]);
      }
    });

    it(`a schedule due while that instance is down fires once, on another (the heartbeat, every ${HEARTBEAT_SECONDS} s)`, async () => {
      expect(s[2].running).toBe(false);
      const completed = async () => (await cluster.redis.cli(['ZRANGE', 'reserve:reserve-jobs:completed', '0', '-1'])).split('\n').filter((id) => id.startsWith('repeat:heartbeat:'));
      const beats = async () => (await cluster.query<{ beats: number }>(`SELECT beats::int FROM job_heartbeats WHERE mode = 'bullmq'`))[0]?.beats ?? 0;
      /** The firings done and the beats counted, read while no firing completes in between. */
      const snapshot = async () => {
        for (;;) {
          const before = await completed();
          const n = await beats();
          const after = await completed();
          if (before.length === after.length) return { jobs: after, beats: n };
        }
      };
      const start = await snapshot();
      await sleep(HEARTBEAT_SECONDS * 1000 * 3 + 500);
      const end = await snapshot();
      const fired = end.jobs.filter((id) => !start.jobs.includes(id));
      // Three periods passed with one instance down: the firings came (on the two that run)...
      expect(fired.length).toBeGreaterThanOrEqual(2);
      // ...each once: one beat per firing (one timer per instance would have counted two per period).
      expect(end.beats - start.beats).toBe(fired.length);
      expect(new Set(fired).size).toBe(fired.length);
      // Every firing since the start of the cluster counted once as well.
      expect(end.beats).toBe(end.jobs.length);
      figures.add({ scenario: 'schedule while one instance is down', answers: `${fired.length} firings in ${HEARTBEAT_SECONDS * 3.25} s, ${end.beats - start.beats} beats` });
      await s[2].start(120_000);
    });
  });

  it(`the quarter close requested on all three at once runs once, with identical answers (${FAULT_QUARTER})`, async () => {
    await seedQuarterWorld(s[0]);
    // Idempotent by itself: a request lost on an idle connection is sent again (clear).
    const answers = await Promise.all(s.map((x) => clear(() => x.request('POST', `/v1/quarters/${FAULT_QUARTER}/close`, { timeoutMs: 120_000 }))));
    expect(answers.map((r) => r.status)).toEqual([answers[0].status, answers[0].status, answers[0].status]);
    expect(answers[0].status).toBeLessThan(300);
    expect(answers[1].json).toEqual(answers[0].json);
    expect(answers[2].json).toEqual(answers[0].json);
    const runs = await cluster.query<{ status: string }>(`SELECT status FROM quarter_runs WHERE quarter = $1`, [FAULT_QUARTER]);
    expect(runs).toEqual([{ status: 'completed' }]);
    const duties = await cluster.query<{ duty: string; status: string; attempts: number }>(`SELECT duty, status, attempts FROM quarter_duties WHERE quarter = $1 ORDER BY duty`, [FAULT_QUARTER]);
    expect(duties.length).toBeGreaterThan(0);
    expect(duties.filter((d) => d.status !== 'done' || d.attempts !== 1)).toEqual([]);
  });

  describe('reads from the replica', () => {
    let reader: string;
    beforeAll(async () => {
      reader = (await ok(s[0].request('POST', '/v1/tokens', { body: { role: 'auditor' } }), 'auditor')).token as string;
    });

    /** A write of the admin token (the "writer"), so that its next reads go to the primary. */
    const write = (x: ServiceProcess) =>
      ok(
        x.request('POST', '/v1/ledger/entries', {
          body: { book, effectiveDate: '2025-01-13', memo: `w-${randomUUID()}`, lines: [{ account: deposit, debit: '1.00' }, { account: `${book}:capital`, credit: '1.00' }] },
        }),
        'write',
      );

    it('a read right after the same caller’s write goes to the primary and sees the write', async () => {
      const entry = await write(s[1]);
      const res = await s[2].request('GET', `/v1/ledger/export?book=${book}&format=csv`);
      expect([res.status, res.headers['x-read-source']]).toEqual([200, 'primary']);
      expect(res.text).toContain(entry.memo as string);
    });

    it('exports, verify, the trial balance, a statement and the console’s aggregates served by the replica match the primary’s', async () => {
      await cluster.replicaCaughtUp();
      const paths = [
        `/v1/ledger/export?book=${book}&format=csv`,
        `/v1/ledger/export?book=${book}&format=csv&report=trial-balance`,
        `/v1/ledger/verify?book=${book}&full=true`,
        `/v1/ledger/verify?book=reserve&full=true`,
        `/v1/ledger/trial-balance?book=reserve`,
        `/v1/ledger/accounts/${deposit}/statement`,
        '/v1/console/overview',
        '/v1/console/risk',
        '/v1/console/quarters',
      ];
      for (const [i, path] of paths.entries()) {
        const x = s[i % 3];
        // The reader has never written: once the replica is within the bound, its reads go there.
        let fromReplica: RawResponse | null = null;
        await waitFor(
          `${path} from the replica`,
          async () => {
            fromReplica = await x.request('GET', path, { token: reader });
            return fromReplica.headers['x-read-source'] === 'replica';
          },
          30_000,
          200,
        );
        const replicaAnswer = fromReplica as unknown as RawResponse;
        // The writer's read goes to the primary (it wrote just now, to another book's head: none of these change).
        await ok(s[0].request('POST', '/v1/tokens', { body: { role: 'auditor' } }), 'a write of the writer');
        const primaryAnswer = await x.request('GET', path);
        expect([path, primaryAnswer.headers['x-read-source']]).toEqual([path, 'primary']);
        expect([path, replicaAnswer.status]).toEqual([path, 200]);
        if (replicaAnswer.json) expect([path, replicaAnswer.json]).toEqual([path, primaryAnswer.json]);
        else expect([path, replicaAnswer.text]).toEqual([path, primaryAnswer.text]);
      }
    });

    it('/health reports the replica connected and within its staleness bound', async () => {
      const health = json(await s[1].request('GET', '/health'));
      const replica = (health.database as { replica: { connected: boolean; stalenessMs: number | null; maxLagMs: number } }).replica;
      expect([replica.connected, replica.maxLagMs]).toEqual([true, READ_REPLICA_MAX_LAG_MS]);
      expect(replica.stalenessMs).not.toBeNull();
    });

    it('a replica that goes away sends the heavy reads back to the primary; they return to it once it is back', async () => {
      const path = `/v1/ledger/trial-balance?book=${book}`;
      await cluster.replica.stopImmediate();
      // Past the bound the replica counts as stale: the reader's reads are served by the primary, without an error.
      await sleep(READ_REPLICA_MAX_LAG_MS + 500);
      const answers = await Promise.all(s.map((x) => x.request('GET', path, { token: reader })));
      expect(answers.map((r) => [r.status, r.headers['x-read-source']])).toEqual([
        [200, 'primary'],
        [200, 'primary'],
        [200, 'primary'],
      ]);
      await cluster.replica.startServer();
      for (const x of s) {
        await waitFor('reads from the replica again', async () => (await x.request('GET', path, { token: reader })).headers['x-read-source'] === 'replica', 60_000, 250);
      }
      const back = await s[0].request('GET', path, { token: reader });
      expect([back.status, back.json]).toEqual([200, answers[0].json]);
    });

    it('a read that is not a heavy read stays on the primary and says nothing of a replica', async () => {
      const res = await s[0].request('GET', `/v1/ledger/accounts/${deposit}/balance`, { token: reader });
      expect([res.status, res.headers['x-read-source']]).toEqual([200, undefined]);
    });
  });
});
