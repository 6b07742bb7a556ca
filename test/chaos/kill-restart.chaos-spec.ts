import { randomUUID } from 'node:crypto';
import { RawRequestError } from '../support/raw-http';
import { Figures, seconds } from './support/figures';
import { Findings } from './support/known-defects';
import { PrivateCluster } from './support/postgres-cluster';
import { Prng } from './support/prng';
import { sleep } from './support/processes';
import { ServiceProcess } from './support/service';
import { code, disbursedLoan, ok, recommendedClaim } from './support/world';

interface Write {
  point: string;
  path: string;
  key: string;
  body: unknown;
  status: number | null;
  answerCode: string | null;
  /** The answer carried Idempotent-Replayed: true (the request had committed before the kill). */
  replayed: boolean;
}

/**
 * Issue 10, "the battery": `kill -9` of the service while approval batches, payouts and reserve
 * fundings are in flight (six kill points), each followed by a restart. Then every write that got
 * no clear answer is retried with its own Idempotency-Key, and the books are checked: the hash
 * chains verify, the trial balances balance, no claim is half-applied (its status agrees with
 * its ledger entries and batch), no funding or payout is applied twice.
 */
describe('kill -9 during payouts, approval batches and fundings, then restart: nothing half-applied', () => {
  const seed = Number(process.env.CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const database = 'rf_chaos_kill';
  const figures = new Figures(`kill -9 and restart (kill-restart.chaos-spec.ts), seed ${seed}`);
  const rng = new Prng(seed);
  let cluster: PrivateCluster;
  let service: ServiceProcess;
  let banks: string[];
  const recommended: string[] = [];
  const approved: string[] = [];
  const writes: Write[] = [];
  /** Approval batches go with an approver token: the trustee's token recommended the claims (four eyes). */
  let approverToken: string;

  beforeAll(async () => {
    cluster = await PrivateCluster.start();
    service = new ServiceProcess({ databaseUrl: await cluster.createDatabase(database) });
    await service.start();
    banks = [code('KB'), code('KB')];
    for (const b of banks) await ok(service.request('POST', '/v1/banks', { body: { code: b, name: `Bank ${b}` } }), 'bank');
    const agency = code('KA');
    await ok(service.request('POST', '/v1/agencies', { body: { code: agency, name: 'Agency', feeRate: '0.01', joinedOn: '2021-01-01' } }), 'agency');
    for (const b of banks) await ok(service.request('POST', '/v1/agreements', { body: { bankCode: b, agencyCode: agency, signedOn: '2021-01-01' } }), 'agreement');
    const borrower = code('KR');
    await ok(
      service.request('POST', '/v1/borrowers', { body: { code: borrower, name: 'Borrower', highTech: true, techSme: false, revenues: [{ year: 2023, amount: '18000000.00' }] } }),
      'borrower',
    );
    const claims = await Promise.all(
      Array.from({ length: 48 }, async (_, i) => recommendedClaim(service, await disbursedLoan(service, banks[i % 2], agency, borrower, '100000.00'), '100000.00')),
    );
    approverToken = (await ok(service.request('POST', '/v1/tokens', { body: { role: 'approver' } }), 'approver token')).token as string;
    recommended.push(...claims.slice(16));
    // 16 claims approved up front, to be paid at the payout kill points.
    await ok(service.request('POST', '/v1/approval-batches', { body: { claimIds: claims.slice(0, 16), approvedOn: '2025-09-30' }, token: approverToken }), 'batch');
    approved.push(...claims.slice(0, 16));
    for (const b of banks) {
      await ok(service.request('POST', '/v1/reserve/funding', { body: { bankCode: b, amount: '5000000.00', fundedOn: '2025-01-15', reference: code('F') } }), 'funding');
    }
  });

  afterAll(async () => {
    figures.print();
    await service?.stop();
    await cluster?.destroy();
  });

  async function send(w: Write, timeoutMs = 15_000): Promise<void> {
    try {
      const token = w.path === '/v1/approval-batches' ? approverToken : undefined;
      const res = await service.request('POST', w.path, { body: w.body, headers: { 'Idempotency-Key': w.key }, timeoutMs, token });
      w.status = res.status;
      w.answerCode = res.status >= 400 ? ((res.json as { code?: string } | null)?.code ?? null) : null;
      w.replayed = res.headers['idempotent-replayed'] === 'true';
    } catch (error) {
      w.status = null;
      w.replayed = false;
      w.answerCode = error instanceof RawRequestError ? error.kind : String(error);
    }
  }

  /**
   * Fires the writes at once and SIGKILLs the service after a seeded delay, or as soon as half of
   * them have been answered if that comes first (so the kill lands while work is in flight),
   * then restarts it.
   */
  async function killPoint(point: string, planned: Omit<Write, 'status' | 'answerCode' | 'point' | 'key' | 'replayed'>[]): Promise<void> {
    const batch: Write[] = planned.map((p) => ({ ...p, point, key: `${point}-${randomUUID()}`, status: null, answerCode: null, replayed: false }));
    writes.push(...batch);
    const delay = 30 + rng.int(770);
    let answered = 0;
    let halfAnswered: () => void = () => undefined;
    const half = new Promise<void>((resolve) => (halfAnswered = resolve));
    const started = Date.now();
    const inFlight = Promise.all(
      batch.map(async (w) => {
        await send(w);
        if (w.status !== null && ++answered >= batch.length / 2) halfAnswered();
      }),
    );
    await Promise.race([sleep(delay), half]);
    const killedAfter = Date.now() - started;
    await service.kill();
    await inFlight;
    const restart = await service.start();
    figures.add({
      'kill point': point,
      writes: batch.length,
      'killed after ms': killedAfter,
      'answered before the kill': batch.filter((w) => w.status !== null).length,
      'no answer': batch.filter((w) => w.status === null).length,
      'restart s': seconds(restart),
    });
    expect(service.unplannedExits).toEqual([]);
  }

  const takeRecommended = (n: number) => recommended.splice(0, n);
  const takeApproved = (n: number) => approved.splice(0, n);
  const batches = (n: number) =>
    Array.from({ length: n }, () => ({ path: '/v1/approval-batches', body: { claimIds: takeRecommended(2), approvedOn: '2025-09-30' } }));
  const payouts = (n: number) => takeApproved(n).map((id) => ({ path: `/v1/claims/${id}/payout`, body: { paidOn: '2025-10-10' } }));
  const fundings = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      path: '/v1/reserve/funding',
      body: { bankCode: banks[i % 2], amount: `${1000 + rng.int(9000)}.00`, fundedOn: '2025-02-01', reference: code('KF') },
    }));

  it('six kill points: approval batches, payouts and fundings in flight, each followed by a restart', async () => {
    await killPoint('batches-1', batches(8));
    await killPoint('payouts-1', payouts(8));
    await killPoint('fundings-1', fundings(12));
    await killPoint('batches-2', batches(8));
    await killPoint('payouts-2', payouts(8));
    await killPoint('fundings-2', fundings(12));
    expect(service.starts).toBe(7);
  });

  it('every write without a clear answer, retried with its key, gets its committed answer or is applied once', async () => {
    const unclear = writes.filter((w) => w.status === null || w.status >= 500);
    // All retries go at once; a 503 or a 409 CONFLICT.RETRY is retried after a pause, as a client would.
    const deadline = Date.now() + 120_000;
    await Promise.all(
      unclear.map(async (w) => {
        do {
          await send(w, 60_000);
          if (w.status === 503 || w.answerCode === 'CONFLICT.RETRY') await sleep(1_000);
        } while ((w.status === null || w.status >= 500 || w.answerCode === 'CONFLICT.RETRY') && Date.now() < deadline);
      }),
    );
    const unanswered = unclear.filter((w) => w.status === null || w.status >= 500);
    expect(unanswered.map((w) => `${w.point} ${w.path} → ${w.status} ${w.answerCode}`)).toEqual([]);
    const kinds: Record<string, number> = {};
    for (const w of unclear) kinds[`${w.status} ${w.answerCode ?? ''}`.trim()] = (kinds[`${w.status} ${w.answerCode ?? ''}`.trim()] ?? 0) + 1;
    // Issue 10 item 4: the answer was stored with the effect, so a request that committed before
    // the kill answers its stored 2xx (replayed), and one that did not is applied now (2xx) —
    // never IN_PROGRESS or OUTCOME_UNKNOWN; these writes are all valid, so never a 4xx either.
    const findings = new Findings('kill-restart: retries');
    for (const w of unclear.filter((x) => x.status === null || x.status >= 300)) findings.add(null, `${w.point} ${w.path} → ${w.status} ${w.answerCode}`);
    const replayed = unclear.filter((w) => w.status !== null && w.status < 300 && w.replayed).length;
    figures.add({
      'kill point': 'retries of unclear writes',
      writes: unclear.length,
      'killed after ms': '',
      'answered before the kill': `answers to the retries: ${JSON.stringify(kinds)}: ${replayed} committed answers replayed, ${unclear.length - replayed} applied on retry`,
      'no answer': unanswered.length,
      'restart s': '',
    });
    expect(findings.failing()).toEqual([]);
  });

  it('the books are whole: chains verify, trial balances balance', async () => {
    for (const book of ['reserve', 'margin']) {
      const v = await service.request('GET', `/v1/ledger/verify?book=${book}`);
      expect([book, v.status, v.json]).toEqual([book, 200, expect.objectContaining({ ok: true })]);
      const tb = await service.request('GET', `/v1/ledger/trial-balance?book=${book}`);
      expect([book, tb.json]).toEqual([book, expect.objectContaining({ totals: expect.objectContaining({ balanced: true }) })]);
    }
  });

  it('no half-applied claim, batch, payout or funding; nothing applied twice', async () => {
    const q = <T>(sql: string) => cluster.query<T>(database, sql);
    // A claim's status and its ledger entries and batch agree.
    expect(
      await q(`SELECT id, status FROM claims
                WHERE (status IN ('approved','paid','receipted','written_off')) <> (approval_entry_id IS NOT NULL AND approval_batch_id IS NOT NULL)
                   OR (status IN ('paid','receipted','written_off')) <> (payout_entry_id IS NOT NULL)`),
    ).toEqual([]);
    expect(
      await q(`SELECT c.id FROM claims c LEFT JOIN ledger_entries a ON a.id = c.approval_entry_id LEFT JOIN ledger_entries p ON p.id = c.payout_entry_id
                WHERE (c.approval_entry_id IS NOT NULL AND a.id IS NULL) OR (c.payout_entry_id IS NOT NULL AND p.id IS NULL)`),
    ).toEqual([]);
    // Every approval or payout entry belongs to the claim that records it: none orphaned, none twice.
    expect(
      await q(`SELECT e.id, e.memo FROM ledger_entries e LEFT JOIN claims c ON c.id::text = e.link_id
                WHERE e.link_type = 'claim' AND ((e.memo LIKE 'Compensation approved%' AND c.approval_entry_id IS DISTINCT FROM e.id)
                   OR (e.memo LIKE 'Compensation paid%' AND c.payout_entry_id IS DISTINCT FROM e.id))`),
    ).toEqual([]);
    // A paid claim's legs add up to its compensation.
    expect(
      await q(`SELECT c.id FROM claims c LEFT JOIN (SELECT claim_id, sum(amount) AS s FROM claim_payout_legs GROUP BY claim_id) l ON l.claim_id = c.id
                WHERE c.payout_entry_id IS NOT NULL AND l.s IS DISTINCT FROM c.compensation`),
    ).toEqual([]);
    // A batch holds all its claims or does not exist.
    expect(
      await q(`SELECT b.id FROM approval_batches b LEFT JOIN claims c ON c.approval_batch_id = b.id GROUP BY b.id, b.claim_count HAVING count(c.id) <> b.claim_count`),
    ).toEqual([]);
    // At most one margin deduction per claim, and only for an approved claim.
    expect(
      await q(`SELECT m.claim_id FROM agency_margin_events m LEFT JOIN claims c ON c.id = m.claim_id WHERE m.kind = 'deduction'
                GROUP BY m.claim_id, c.approval_entry_id HAVING count(*) > 1 OR c.approval_entry_id IS NULL`),
    ).toEqual([]);
    // Fundings and their entries match one to one.
    expect(
      await q(`SELECT f.reference FROM reserve_fundings f LEFT JOIN ledger_entries e ON e.id = f.entry_id WHERE e.id IS NULL
               UNION ALL
               SELECT e.link_id FROM ledger_entries e LEFT JOIN reserve_fundings f ON f.entry_id = e.id WHERE e.link_type = 'reserve-funding' AND f.id IS NULL`),
    ).toEqual([]);
    // Every write answered 2xx (first time or on retry) took effect exactly once.
    for (const w of writes.filter((x) => x.status !== null && x.status < 300)) {
      if (w.path === '/v1/reserve/funding') {
        const ref = (w.body as { reference: string }).reference;
        expect([ref, (await q<{ n: number }>(`SELECT count(*)::int AS n FROM reserve_fundings WHERE reference = '${ref}'`))[0].n]).toEqual([ref, 1]);
      } else if (w.path.endsWith('/payout')) {
        const id = w.path.split('/')[3];
        expect([id, (await q<{ status: string }>(`SELECT status FROM claims WHERE id = '${id}'`))[0].status]).toEqual([id, 'paid']);
      } else {
        for (const id of (w.body as { claimIds: string[] }).claimIds) {
          expect([id, (await q<{ status: string }>(`SELECT status FROM claims WHERE id = '${id}'`))[0].status]).toEqual([id, 'approved']);
        }
      }
    }
    expect(service.processErrors).toEqual([]);
  });
});
