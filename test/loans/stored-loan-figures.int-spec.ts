import { Client } from 'pg';
import { Money } from '../../src/common/money/money';
import { LoanAggregatesService } from '../../src/loans/loan-aggregates.service';
import { createAgency, createBank, createBorrower, registerLoan, signAgreement } from '../support/factories';
import { startIsolatedTestApp, TestApp } from '../support/test-app';
import { freezeToday } from './loan-fixtures';

/**
 * Issue 13 "Performance": the placement model's per-bank loan figures as of a quarter end are kept
 * once aggregated and reused until a loan, a bank report or a report row changes in a way dated on
 * or before that quarter end (migration 1733880000000; docs/placement.md "Stored loan figures").
 *
 * To tell a reuse from a new aggregation, a test writes a marker into the stored figures
 * (`loans: 99`): a reuse returns the marker, a new aggregation the real count.
 */
describe('stored placement loan figures (issue 13)', () => {
  let t: TestApp;
  let aggregates: LoanAggregatesService;
  let bank: string;
  let agency: string;
  const Q1_END = '2025-03-31';
  const SMALL = Money.of('20000000.00');
  const figures = async () => (await aggregates.placementFigures(Q1_END, SMALL)).find((f) => f.bankCode === bank);
  const mark = () => t.dataSource.query(`UPDATE loan_figure_snapshots SET figures = jsonb_set(figures, '{0,loans}', '99') WHERE kind = 'placement' AND as_of = $1`, [Q1_END]);

  beforeAll(async () => {
    t = await startIsolatedTestApp();
    aggregates = t.app.get(LoanAggregatesService);
    bank = await createBank(t, 'SF');
    agency = await createAgency(t);
    await signAgreement(t, bank, agency);
    const borrower = await createBorrower(t, [{ year: 2023, amount: '18000000.00' }]);
    await registerLoan(t, { bankCode: bank, agencyCode: agency, borrowerCode: borrower, amount: '30000000.00', termMonths: 36, collateralValue: '6000000.00', disbursedOn: '2025-01-15' });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('the first call aggregates and stores the figures with the snapshot that saw them; the next reuses them', async () => {
    expect(await figures()).toEqual({
      bankCode: bank,
      loans: 1,
      outstanding: '30000000.00',
      averageTermMonths: '36.00000000',
      averageRate: '0.04350000',
      collateralRatio: '0.20000000',
      smallBorrowerShare: '1.00000000',
    });
    const [row] = (await t.dataSource.query(`SELECT params, snapshot::text AS snapshot FROM loan_figure_snapshots WHERE kind = 'placement' AND as_of = $1`, [Q1_END])) as {
      params: string;
      snapshot: string;
    }[];
    expect(row.params).toBe('20000000.00');
    expect(row.snapshot).toMatch(/^\d+:\d+:/);
    await mark();
    expect((await figures())?.loans).toBe(99);
  });

  it('a loan disbursed after the quarter end changes nothing as of it: the stored figures stay', async () => {
    const borrower = await createBorrower(t, [{ year: 2023, amount: '18000000.00' }]);
    await registerLoan(t, { bankCode: bank, agencyCode: agency, borrowerCode: borrower, amount: '5000000.00', disbursedOn: '2025-04-20' });
    expect((await figures())?.loans).toBe(99);
  });

  it('a loan disbursed before the quarter end makes them stale: aggregated again, with it', async () => {
    const borrower = await createBorrower(t, [{ year: 2023, amount: '30000000.00' }]);
    await registerLoan(t, { bankCode: bank, agencyCode: agency, borrowerCode: borrower, amount: '10000000.00', termMonths: 12, disbursedOn: '2025-03-01' });
    expect(await figures()).toMatchObject({ loans: 2, outstanding: '40000000.00', averageTermMonths: '30.00000000', smallBorrowerShare: '0.50000000' });
  });

  it('a bank report for the quarter makes them stale, and so does a superseding version of it', async () => {
    await mark();
    expect((await figures())?.loans).toBe(99);
    const refs = (await t.dataSource.query(`SELECT reference FROM loans WHERE bank_code = $1 AND disbursed_on <= $2 ORDER BY amount DESC`, [bank, Q1_END])) as { reference: string }[];
    const restore = freezeToday(t, '2025-04-08');
    try {
      const file = (big: string) =>
        t.http
          .post('/v1/bank-reports')
          .set('Authorization', t.auth)
          .send({
            bankCode: bank,
            quarter: '2025Q1',
            rows: [
              { loanReference: refs[0].reference, outstandingPrincipal: big, repaid: '0.00', assetQuality: 'normal' },
              { loanReference: refs[1].reference, outstandingPrincipal: '10000000.00', repaid: '0.00', assetQuality: 'normal' },
            ],
          })
          .expect(201);
      await file('20000000.00');
      expect(await figures()).toMatchObject({ loans: 2, outstanding: '30000000.00' });
      await mark();
      await file('25000000.00');
      expect(await figures()).toMatchObject({ loans: 2, outstanding: '35000000.00' });
    } finally {
      restore();
    }
  });

  it('a direct change of a loan row dated before the quarter end is caught too (the triggers see every writer)', async () => {
    await mark();
    await t.dataSource.query(`UPDATE loans SET term_months = 24 WHERE bank_code = $1 AND amount = '10000000.00'`, [bank]);
    // (36 × 25,000,000 + 24 × 10,000,000) ÷ 35,000,000 = 32.571428571…
    expect(await figures()).toMatchObject({ loans: 2, averageTermMonths: '32.57142857' });
  });

  (process.env.DATABASE_URL ? it : it.skip)('real PostgreSQL: a change in flight while they are aggregated makes them stale when it commits; one rolled back does not', async () => {
    const db = t.dataSource.options as { url?: string };
    const other = new Client({ connectionString: db.url });
    await other.connect();
    try {
      await mark();
      // A transaction that changes a loan and has not committed: the aggregation cannot see it.
      await other.query('BEGIN');
      await other.query(`UPDATE loans SET term_months = 48 WHERE bank_code = $1 AND amount = '10000000.00'`, [bank]);
      await t.dataSource.query(`DELETE FROM loan_figure_snapshots WHERE kind = 'placement' AND as_of = $1`, [Q1_END]);
      expect(await figures()).toMatchObject({ averageTermMonths: '32.57142857' });
      await mark();
      expect((await figures())?.loans).toBe(99);
      await other.query('COMMIT');
      // Committed after the snapshot of the stored figures: they are stale.
      // (36 × 25,000,000 + 48 × 10,000,000) ÷ 35,000,000 = 39.428571428…
      expect(await figures()).toMatchObject({ loans: 2, averageTermMonths: '39.42857143' });
      await mark();
      await other.query('BEGIN');
      await other.query(`UPDATE loans SET term_months = 60 WHERE bank_code = $1 AND amount = '10000000.00'`, [bank]);
      await other.query('ROLLBACK');
      expect((await figures())?.loans).toBe(99);
    } finally {
      await other.end();
    }
  });

  (process.env.DATABASE_URL ? it : it.skip)('real PostgreSQL: while another transaction is between its aggregation and its commit, the change log is not pruned', async () => {
    const db = t.dataSource.options as { url?: string };
    const other = new Client({ connectionString: db.url });
    await other.connect();
    try {
      await t.dataSource.query(`UPDATE loans SET term_months = 36 WHERE bank_code = $1 AND amount = '10000000.00'`, [bank]);
      const changes = async () => ((await t.dataSource.query(`SELECT count(*)::int AS n FROM loan_figure_changes`)) as { n: number }[])[0].n;
      expect(await changes()).toBeGreaterThan(0);
      // Another aggregation in flight (it holds the figures' shared lock until it commits).
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock_shared(1733880000)');
      await t.dataSource.query(`DELETE FROM loan_figure_snapshots`);
      await figures();
      expect(await changes()).toBeGreaterThan(0);
      await other.query('COMMIT');
      await t.dataSource.query(`DELETE FROM loan_figure_snapshots`);
      await figures();
      const [{ n }] = (await t.dataSource.query(
        `SELECT count(*)::int AS n FROM loan_figure_changes WHERE xact < (SELECT min(pg_snapshot_xmin(snapshot)) FROM loan_figure_snapshots)`,
      )) as { n: number }[];
      expect(n).toBe(0);
    } finally {
      await other.end();
    }
  });

  it('the change log keeps only what a stored snapshot could not see', async () => {
    await t.dataSource.query(`DELETE FROM loan_figure_snapshots`);
    await figures();
    const [{ n }] = (await t.dataSource.query(
      `SELECT count(*)::int AS n FROM loan_figure_changes WHERE xact < (SELECT min(pg_snapshot_xmin(snapshot)) FROM loan_figure_snapshots)`,
    )) as { n: number }[];
    expect(n).toBe(0);
  });
});
