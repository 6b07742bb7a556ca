import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthService } from '../../src/auth/auth.service';
import type { Role } from '../../src/common/access/principal';
import { tableCounts, tableNames } from '../support/table-counts';
import type { TestApp } from '../support/test-app';
import { uniqueCode } from '../support/test-app';

/** A token of `role` (for a bank, its code) as an Authorization header. */
export async function tokenOf(t: TestApp, role: Role, partyCode: string | null = null): Promise<string> {
  const issued = await t.app.get(AuthService).issue(role, partyCode, `flows ${role}`);
  return `Bearer ${issued.token}`;
}

/**
 * A small firm with its staff and hires (the facts programme registration reads; docs/programmes.md):
 * `headcounts` as [asOf, headcount], `hires` of start-up-loan-eligible persons on 24-month contracts.
 */
export async function createFlowBorrower(t: TestApp, facts: { headcounts?: [string, number][]; hires?: [string, number][] } = {}): Promise<string> {
  const code = uniqueCode('BR');
  await t.http.post('/v1/borrowers').set('Authorization', t.auth).send({ code, name: `新乡 ${code}`, highTech: false, techSme: false, revenues: [] }).expect(201);
  await t.http.put(`/v1/borrowers/${code}/profile`).set('Authorization', t.auth).send({ borrowerType: 'enterprise', sizeClass: 'small', establishedOn: '2019-04-01' }).expect(200);
  for (const [asOf, headcount] of facts.headcounts ?? []) {
    await t.http.put(`/v1/borrowers/${code}/headcounts`).set('Authorization', t.auth).send({ asOf, headcount }).expect(200);
  }
  for (const [hiredOn, persons] of facts.hires ?? []) {
    await t.http.post(`/v1/borrowers/${code}/hires`).set('Authorization', t.auth).send({ hiredOn, persons, groups: ['startup-loan-eligible'], contractMonths: 24 }).expect(201);
  }
  return code;
}

export interface ProgrammeLoanSpec {
  programme: string;
  product: string;
  bankCode: string;
  borrowerCode: string;
  amount: string;
  annualRate: string;
  termMonths: number;
  contractDate: string;
  declarations?: Record<string, boolean>;
}

/** Registers a loan against a programme through its API (every rule checked); returns its id. */
export async function registerProgrammeLoan(t: TestApp, spec: ProgrammeLoanSpec): Promise<string> {
  const { programme, ...rest } = spec;
  const res = await t.http
    .post(`/v1/programmes/${programme}/loans`)
    .set('Authorization', t.auth)
    .send({ ...rest, reference: uniqueCode('REF'), registeredOn: spec.contractDate });
  if (res.status !== 201) throw new Error(`programme loan registration failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/**
 * A programme loan row written directly, for the one case registration would refuse: a loan the
 * programme's current cap does not allow (as one registered under an older version would be).
 */
export async function programmeLoan(
  t: TestApp,
  spec: { programme: string; version: string; product: string; bankCode: string; borrowerCode: string; amount: string; annualRate: string; termMonths: number; contractDate: string },
): Promise<string> {
  const rows: { id: string }[] = await t.dataSource.query(
    `INSERT INTO programme_loans (programme_code, programme_version_id, product, reference, bank_code, borrower_code, borrower_type,
       amount, annual_rate, term_months, contract_date, registered_on, facts, warnings, breakdown)
     VALUES ($1, $2, $3, $4, $5, $6, 'enterprise', $7, $8, $9, $10, $10, '{}', '[]', '[]') RETURNING id`,
    [spec.programme, spec.version, spec.product, uniqueCode('REF'), spec.bankCode, spec.borrowerCode, spec.amount, spec.annualRate, spec.termMonths, spec.contractDate],
  );
  return rows[0].id;
}

/**
 * A sixth programme that reuses the IP-pledge flow, loaded as data only (issue 18 "Done when"):
 * Xinxiang's document with a code and version of its own and the two ratios the seed does not give
 * (advance 40% of the loss at default, 50% of the final loss carried by the fund).
 */
export async function loadPledgeProgramme(t: TestApp): Promise<{ programme: string; version: string }> {
  const doc = JSON.parse(readFileSync(join(__dirname, '../../data/programmes/xinxiang-risk-compensation.json'), 'utf8')) as {
    code: string;
    names: { zh: string; en: string };
    version: { id: string; effectiveFrom: string; effectiveTo: string | null };
    flows: { kind: string; parameters: Record<string, unknown> }[];
    missing: { figure: string }[];
  };
  const suffix = uniqueCode('').toLowerCase();
  doc.code = `ip-pledge-demo-${suffix}`;
  doc.names = { zh: `知识产权质押示范 ${suffix}`, en: `IP-pledge demonstration ${suffix}` };
  doc.version = { id: `ip-pledge-demo-${suffix}-2025`, effectiveFrom: '2025-01-01', effectiveTo: null };
  const flow = doc.flows.find((f) => f.kind === 'advance-compensation-with-settlement');
  if (!flow) throw new Error('the Xinxiang document has no IP-pledge flow');
  flow.parameters = { advanceRatio: '0.40', settlementRatio: '0.50' };
  doc.missing = doc.missing.filter((m) => !m.figure.startsWith('flows.advance-compensation-with-settlement.'));
  await t.http.post('/v1/programmes/documents').set('Authorization', t.auth).send(doc).expect(201);
  return { programme: doc.code, version: doc.version.id };
}

/** Row counts of every table, for "a refused request writes nothing". */
export async function counts(t: TestApp): Promise<Record<string, number>> {
  const q = (sql: string, params?: unknown[]) => t.dataSource.query(sql, params);
  return tableCounts(q, await tableNames(q, ['idempotency_keys']));
}

export async function expectBooksSound(t: TestApp, book: string, entries: number): Promise<void> {
  const tb = await t.http.get(`/v1/ledger/trial-balance?book=${book}&asOf=2027-12-31`).set('Authorization', t.auth).expect(200);
  expect(tb.body.totals.debit).toBe(tb.body.totals.credit);
  const verify = await t.http.get('/v1/ledger/verify').query({ book }).set('Authorization', t.auth).expect(200);
  expect(verify.body).toMatchObject({ ok: true, entries, firstBroken: null });
}

export async function balanceOf(t: TestApp, book: string, code: string): Promise<string> {
  const res = await t.http.get(`/v1/ledger/accounts/${code}/balance`).query({ book }).set('Authorization', t.auth).expect(200);
  return res.body.balance;
}
