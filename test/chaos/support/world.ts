import { randomUUID } from 'node:crypto';
import type { RawResponse } from '../../support/raw-http';
import type { World } from './openapi-fuzz';
import { CHAOS_ADMIN_TOKEN, ServiceProcess } from './service';

/**
 * A small programme built through the public API so that generated requests can reach past
 * validation: two banks, an agency with a signed agreement, a borrower, a disbursed loan, a filed
 * and recommended claim, funded reserve accounts, a ledger book of our own with accounts and an
 * entry, and a token for every role.
 */
export interface SeededWorld extends World {
  tokens: { role: string; token: string }[];
}

export async function ok(res: Promise<RawResponse>, what: string): Promise<Record<string, unknown>> {
  const r = await res;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.text.slice(0, 400)}`);
  return (r.json ?? {}) as Record<string, unknown>;
}

export function code(prefix: string): string {
  return `${prefix}${randomUUID().replace(/-/g, '').slice(0, 8).toUpperCase()}`;
}

/** Registers a 3,000,000.00 loan (60% ratio) and disburses it; returns its id. */
export async function disbursedLoan(s: ServiceProcess, bankCode: string, agencyCode: string, borrowerCode: string, amount = '3000000.00'): Promise<string> {
  const loan = await ok(
    s.request('POST', '/v1/loans', {
      body: {
        reference: code('LN'),
        bankCode,
        agencyCode,
        borrowerCode,
        amount,
        annualRate: '0.0435',
        termMonths: 12,
        contractDate: '2024-06-01',
        registeredOn: '2024-06-10',
        security: 'collateral',
        collateralValue: '0.00',
        singleAssetException: false,
      },
    }),
    'register loan',
  );
  await ok(s.request('POST', `/v1/loans/${loan.id as string}/disbursement`, { body: { disbursedOn: '2024-06-15', amount } }), 'disburse');
  return loan.id as string;
}

/** Files a claim on the loan (eligible on 2025-07-15) and recommends it; returns its id. */
export async function recommendedClaim(s: ServiceProcess, loanId: string, outstandingPrincipal = '3000000.00'): Promise<string> {
  const claim = await ok(
    s.request('POST', '/v1/claims', {
      body: { loanId, claimDate: '2025-07-15', outstandingPrincipal, interestUnpaidSince: '2025-03-21', principalOverdueSince: '2025-05-10' },
    }),
    'file claim',
  );
  await ok(s.request('POST', `/v1/claims/${claim.id as string}/review`, { body: { decision: 'recommend', reviewedOn: '2025-07-20' } }), 'recommend');
  return claim.id as string;
}

export async function seedWorld(s: ServiceProcess): Promise<SeededWorld> {
  const banks = [code('FB'), code('FB')];
  for (const b of banks) await ok(s.request('POST', '/v1/banks', { body: { code: b, name: `Bank ${b}` } }), 'bank');
  const agency = code('FA');
  await ok(s.request('POST', '/v1/agencies', { body: { code: agency, name: `Agency ${agency}`, feeRate: '0.01', joinedOn: '2021-01-01' } }), 'agency');
  for (const b of banks) await ok(s.request('POST', '/v1/agreements', { body: { bankCode: b, agencyCode: agency, signedOn: '2021-01-01' } }), 'agreement');
  const borrower = code('FR');
  await ok(
    s.request('POST', '/v1/borrowers', { body: { code: borrower, name: `Borrower ${borrower}`, highTech: true, techSme: false, revenues: [{ year: 2023, amount: '18000000.00' }] } }),
    'borrower',
  );
  const loans = [await disbursedLoan(s, banks[0], agency, borrower), await disbursedLoan(s, banks[1], agency, borrower)];
  const claims = [await recommendedClaim(s, loans[0])];
  for (const b of banks) {
    await ok(s.request('POST', '/v1/reserve/funding', { body: { bankCode: b, amount: '5000000.00', fundedOn: '2025-01-15', reference: code('F') } }), 'funding');
  }
  const book = `fz${randomUUID().slice(0, 6)}`;
  await ok(s.request('POST', '/v1/ledger/books', { body: { code: book, name: 'fuzz book' } }), 'book');
  const accounts = [`${book}:deposit:BANK01`, `${book}:capital`, `${book}:expense:fees`];
  await ok(s.request('POST', '/v1/ledger/accounts', { body: { book, code: accounts[0], name: 'Deposit', type: 'asset', floor: '0.00' } }), 'account');
  await ok(s.request('POST', '/v1/ledger/accounts', { body: { book, code: accounts[1], name: 'Capital', type: 'equity' } }), 'account');
  await ok(s.request('POST', '/v1/ledger/accounts', { body: { book, code: accounts[2], name: 'Fees', type: 'expense' } }), 'account');
  const entry = await ok(
    s.request('POST', '/v1/ledger/entries', {
      body: { book, effectiveDate: '2025-01-10', memo: 'seed', lines: [{ account: accounts[0], debit: '1000000.00' }, { account: accounts[1], credit: '1000000.00' }] },
    }),
    'entry',
  );
  const tokens: { role: string; token: string }[] = [{ role: 'trustee', token: CHAOS_ADMIN_TOKEN }];
  for (const [role, partyCode] of [
    ['custodian', null],
    ['bank', banks[0]],
    ['agency', agency],
    ['approver', null],
    ['auditor', null],
  ] as const) {
    const issued = await ok(s.request('POST', '/v1/tokens', { body: { role, ...(partyCode ? { partyCode } : {}) } }), `token ${role}`);
    tokens.push({ role, token: issued.token as string });
  }
  return {
    banks,
    agencies: [agency],
    borrowers: [borrower],
    loans,
    claims,
    entries: [entry.id as string],
    books: ['reserve', 'margin', book],
    accounts: [...accounts, `reserve:deposit:${banks[0]}`, 'reserve:capital'],
    tokens,
  };
}
