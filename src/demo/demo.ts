import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../bootstrap';
import { ConfigError, loadConfig } from '../config/app-config';
import { Clock } from '../common/clock/clock';
import { previousQuarter } from '../common/calendar';
import { DEMO_AGENCIES, DEMO_BANKS, DemoCalendar, addDays, borrowerName, dayWithin, demoCalendar, quarterFirstDay, quarterLastDay, seeded } from './demo-plan';

/**
 * `npm run demo` (docs/console.md "Demo"): fills an EMPTY database with a realistic programme
 * through the service's own HTTP API in this process — the same validation, rules, ledger
 * postings, four eyes and audit trail as any client — so that a newcomer sees a populated
 * console. Four banks, three agencies, a few hundred loans with their disbursements and
 * quarterly reports, claims in every status, two closed quarters. Refuses a database that
 * already has banks, agencies or loans. Prints one token per role at the end (shown once).
 */

type Body = Record<string, unknown>;

class Api {
  constructor(
    private readonly base: string,
    public token: string,
  ) {}

  async call(method: string, path: string, body?: unknown, token = this.token): Promise<Body> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return text ? (JSON.parse(text) as Body) : {};
  }

  post(path: string, body: unknown, token?: string): Promise<Body> {
    return this.call('POST', path, body, token);
  }

  get(path: string, token?: string): Promise<Body> {
    return this.call('GET', path, undefined, token);
  }
}

interface DemoLoan {
  id: string;
  reference: string;
  bankCode: string;
  agencyCode: string;
  amount: number;
  registeredOn: string;
  disbursedOn: string;
}

export interface Tokens {
  trustee: string;
  approver: string;
  custodian: string;
  auditor: string;
  banks: Record<string, string>;
  agencies: Record<string, string>;
}

const money = (n: number) => n.toFixed(2);

async function refuseNonEmpty(api: Api): Promise<void> {
  for (const path of ['/v1/banks?limit=1', '/v1/agencies?limit=1', '/v1/loans?limit=1']) {
    const page = await api.get(path);
    if ((page.items as unknown[]).length > 0) {
      throw new Error(`The database is not empty (${path.split('?')[0]} has rows): the demo fills only an empty database. Point DATA_DIR or DATABASE_URL at a new one.`);
    }
  }
}

async function issueTokens(api: Api): Promise<Tokens> {
  const issue = async (role: string, label: string, partyCode?: string) =>
    (await api.post('/v1/tokens', { role, label, ...(partyCode ? { partyCode } : {}), expiresInDays: 365 })).token as string;
  const tokens: Tokens = {
    trustee: await issue('trustee', '演示 受托管理人审核岗 李娜'),
    approver: await issue('approver', '演示 省科技厅 王强'),
    custodian: await issue('custodian', '演示 托管银行 陈静'),
    auditor: await issue('auditor', '演示 审计 周磊'),
    banks: {},
    agencies: {},
  };
  for (const b of DEMO_BANKS) tokens.banks[b.code] = await issue('bank', `demo ${b.name}`, b.code);
  for (const a of DEMO_AGENCIES) tokens.agencies[a.code] = await issue('agency', `demo ${a.name}`, a.code);
  return tokens;
}

async function parties(api: Api, cal: DemoCalendar): Promise<void> {
  for (const b of DEMO_BANKS) await api.post('/v1/banks', { code: b.code, name: b.name, joinedOn: cal.start });
  for (const a of DEMO_AGENCIES) await api.post('/v1/agencies', { code: a.code, name: a.name, feeRate: a.feeRate, joinedOn: cal.start });
  for (const b of DEMO_BANKS) for (const a of DEMO_AGENCIES) await api.post('/v1/agreements', { bankCode: b.code, agencyCode: a.code, signedOn: cal.start });
  const funded = addDays(cal.start, 3);
  const funding = [42_000_000, 36_000_000, 18_000_000, 9_000_000];
  for (const [i, b] of DEMO_BANKS.entries()) {
    await api.post('/v1/reserve/funding', { bankCode: b.code, amount: money(funding[i]), fundedOn: funded, reference: `HN-CZ-${cal.start.slice(0, 4)}-${i + 1}` });
  }
  for (const a of DEMO_AGENCIES) await api.post(`/v1/agencies/${a.code}/margin/deposits`, { amount: money(3_000_000), depositedOn: funded });
}

/** Loans registered over the year before the first closed quarter ends, each disbursed in full a few days later. */
async function loans(api: Api, cal: DemoCalendar, count: number): Promise<DemoLoan[]> {
  const rnd = seeded(Number(cal.today.replace(/-/g, '')));
  const last = addDays(quarterLastDay(cal.closedA), -20);
  const span = Math.max(1, (Date.parse(last) - Date.parse(cal.start)) / 86_400_000 - 15);
  const out: DemoLoan[] = [];
  for (let i = 0; i < count; i++) {
    // The first bank holds most loans (40%), the last one few (10%), so its loss rate moves fast.
    const pick = rnd();
    const bank = DEMO_BANKS[pick < 0.4 ? 0 : pick < 0.7 ? 1 : pick < 0.9 ? 2 : 3];
    const agency = DEMO_AGENCIES[i % DEMO_AGENCIES.length];
    const amount = Math.round((1 + rnd() * 4) * 10) * 100_000;
    const registeredOn = dayWithin(cal.start, 10 + Math.floor((i / count) * span), last);
    const code = `DEMO-BR-${String(i + 1).padStart(4, '0')}`;
    const revenueYear = Number(registeredOn.slice(0, 4)) - 1;
    await api.post('/v1/borrowers', {
      code,
      name: borrowerName(i),
      highTech: true,
      techSme: rnd() < 0.5,
      revenues: [revenueYear - 1, revenueYear].map((year) => ({ year, amount: money(Math.round(5 + rnd() * 40) * 1_000_000) })),
    });
    const reference = `${bank.code.slice(0, 3)}-${registeredOn.slice(0, 4)}-${String(i + 1).padStart(6, '0')}`;
    const loan = await api.post('/v1/loans', {
      reference,
      bankCode: bank.code,
      agencyCode: agency.code,
      borrowerCode: code,
      amount: money(amount),
      annualRate: rnd() < 0.5 ? '0.0350' : '0.0365',
      termMonths: 12,
      contractDate: addDays(registeredOn, -5),
      registeredOn,
      security: 'collateral',
      collateralValue: money(amount * 0.2),
      singleAssetException: false,
    });
    const disbursedOn = addDays(registeredOn, 3);
    await api.post(`/v1/loans/${loan.id as string}/disbursement`, { disbursedOn, amount: money(amount) });
    out.push({ id: loan.id as string, reference, bankCode: bank.code, agencyCode: agency.code, amount, registeredOn, disbursedOn });
  }
  return out;
}

/** Each bank's report for the quarter: every loan disbursed by its end, outstanding as registered less a little repaid. */
async function reports(api: Api, tokens: Tokens, all: DemoLoan[], quarter: string, claimed: Set<string>): Promise<void> {
  const end = quarterLastDay(quarter);
  for (const b of DEMO_BANKS) {
    const rows = all
      .filter((l) => l.bankCode === b.code && l.disbursedOn <= end)
      .map((l, i) => {
        const repaid = claimed.has(l.id) ? 0 : (i % 5) * 0.05 * l.amount;
        return { loanReference: l.reference, outstandingPrincipal: money(l.amount - repaid), repaid: money(repaid), assetQuality: claimed.has(l.id) ? 'loss' : i % 11 === 0 ? 'special_mention' : 'normal' };
      });
    if (rows.length) await api.post('/v1/bank-reports', { bankCode: b.code, quarter, rows }, tokens.banks[b.code]);
  }
}

async function fileClaim(api: Api, loan: DemoLoan, claimDate: string): Promise<string> {
  const overdue = addDays(claimDate, -75);
  const claim = await api.post('/v1/claims', {
    loanId: loan.id,
    claimDate,
    outstandingPrincipal: money(loan.amount * 0.8),
    interestUnpaidSince: addDays(overdue, -30),
    principalOverdueSince: overdue,
  });
  return claim.id as string;
}

/**
 * Claims through their whole life in a window of dates: `settled` claims go to approval, payout
 * and receipt; some of them get a recovery with its refund, some are written off.
 */
async function claimsIn(api: Api, tokens: Tokens, pool: DemoLoan[], from: string, until: string, plan: { settled: number; rejected: number }): Promise<Set<string>> {
  const used = new Set<string>();
  const settled: string[] = [];
  for (let i = 0; i < plan.settled + plan.rejected; i++) {
    const loan = pool.shift();
    if (!loan) break;
    used.add(loan.id);
    const claimDate = dayWithin(from, 2 + i, until);
    const id = await fileClaim(api, loan, claimDate);
    const reviewedOn = dayWithin(claimDate, 5, until);
    if (i >= plan.settled) {
      await api.post(`/v1/claims/${id}/review`, { decision: 'reject', reason: '贷款逾期前已发生担保物处置，不符合补偿条件', reviewedOn }, tokens.trustee);
      continue;
    }
    await api.post(`/v1/claims/${id}/review`, { decision: 'recommend', reason: '材料齐全，符合补偿条件', reviewedOn }, tokens.trustee);
    settled.push(id);
  }
  const approvedOn = dayWithin(from, 20, until);
  const approved = await approveWithinCap(api, tokens, settled, approvedOn);
  for (const [i, id] of approved.entries()) {
    const paidOn = dayWithin(approvedOn, 3, until);
    await api.post(`/v1/claims/${id}/payout`, { paidOn }, tokens.custodian);
    // The last claim of the window stays paid (the bank has not sent its receipt yet).
    if (i < approved.length - 1) await api.post(`/v1/claims/${id}/receipt`, { receivedOn: dayWithin(paidOn, 2, until) }, tokens.trustee);
    if (i % 3 === 0) {
      const recoveredOn = dayWithin(paidOn, 10, until);
      const claim = await api.get(`/v1/claims/${id}`);
      const recovered = Number(claim.compensation) * 0.4;
      const rec = await api.post(`/v1/claims/${id}/recoveries`, { recoveredOn, recovered: money(recovered), agreedCosts: money(recovered * 0.05) }, tokens.trustee);
      await api.post(`/v1/claims/${id}/recoveries/${rec.id as string}/refunded`, { refundedOn: dayWithin(recoveredOn, 5, until) }, tokens.custodian);
    }
    if (i % 4 === 1) await api.post(`/v1/claims/${id}/write-off`, { writtenOffOn: dayWithin(paidOn, 20, until) }, tokens.approver);
  }
  return used;
}

/**
 * Approves claims one batch each; a claim over its bank's annual cap (henan-2025, RULES §4) stays
 * recommended, as it would in the programme, and the demo goes on.
 */
async function approveWithinCap(api: Api, tokens: Tokens, ids: readonly string[], approvedOn: string): Promise<string[]> {
  const approved: string[] = [];
  for (const id of ids) {
    try {
      await api.post('/v1/approval-batches', { claimIds: [id], approvedOn }, tokens.approver);
      approved.push(id);
    } catch (error) {
      if (!String(error).includes('CLAIM.BANK_ANNUAL_CAP_EXHAUSTED')) throw error;
    }
  }
  return approved;
}

/** The current quarter: claims still moving, some with their review or refund overdue. */
async function openClaims(api: Api, tokens: Tokens, pool: DemoLoan[], cal: DemoCalendar): Promise<Set<string>> {
  const used = new Set<string>();
  const from = quarterFirstDay(cal.current);
  const take = () => {
    const loan = pool.shift();
    if (!loan) throw new Error('not enough loans for the demo claims');
    used.add(loan.id);
    return loan;
  };
  // Filed early in the quarter and never reviewed: the review is overdue (10 working days).
  for (let i = 0; i < 3; i++) await fileClaim(api, take(), dayWithin(from, 1 + i, cal.today));
  for (let i = 0; i < 2; i++) await fileClaim(api, take(), dayWithin(cal.today, -2 - i, cal.today));
  for (let i = 0; i < 2; i++) {
    const id = await fileClaim(api, take(), dayWithin(from, 4 + i, cal.today));
    await api.post(`/v1/claims/${id}/start-review`, {}, tokens.trustee);
  }
  const recommended: string[] = [];
  for (let i = 0; i < 3; i++) {
    const id = await fileClaim(api, take(), dayWithin(from, 2 + i, cal.today));
    await api.post(`/v1/claims/${id}/review`, { decision: 'recommend', reason: '建议补偿', reviewedOn: dayWithin(from, 8 + i, cal.today) }, tokens.trustee);
    recommended.push(id);
  }
  // One recommended claim approved and not yet paid; one paid with a recovery whose refund is still owed.
  const approvedOn = dayWithin(from, 12, cal.today);
  const approved = await approveWithinCap(api, tokens, recommended.slice(0, 2), approvedOn);
  const paid = approved[approved.length - 1];
  if (approved.length === 2 && paid) {
    await api.post(`/v1/claims/${paid}/payout`, { paidOn: dayWithin(approvedOn, 2, cal.today) }, tokens.custodian);
    const claim = await api.get(`/v1/claims/${paid}`);
    await api.post(`/v1/claims/${paid}/recoveries`, { recoveredOn: dayWithin(approvedOn, 3, cal.today), recovered: money(Number(claim.compensation) * 0.3), agreedCosts: '0.00' }, tokens.trustee);
  }
  return used;
}

/**
 * Fills the empty service at `baseUrl` (whose `bootstrapToken` is a trustee token) with the demo
 * programme as of `today`; returns the tokens it issued. Refuses a service with data.
 */
export async function fillDemo(baseUrl: string, bootstrapToken: string, today: string, count = 300, log: (line: string) => void = () => undefined): Promise<Tokens> {
  if (count < 60) throw new Error(`The demo needs at least 60 loans (its claims take about 35 of the earliest); DEMO_LOANS=${count}.`);
  const api = new Api(baseUrl, bootstrapToken);
  await refuseNonEmpty(api);
  const cal = demoCalendar(today);
  log(`demo: programme from ${cal.start}; closing ${cal.closedA} and ${cal.closedB}; ${count} loans`);
  await parties(api, cal);
  const tokens = await issueTokens(api);
  const all = await loans(api, cal, count);
  log(`demo: ${all.length} loans registered and disbursed`);
  // Claims on the earliest loans; the second bank gives fewer, so the banks' loss rates differ.
  const pool = [...all].sort((a, b) => (a.registeredOn < b.registeredOn ? -1 : 1)).filter((l, i) => l.bankCode !== 'ZYBANK' || i % 3 === 0);
  const earlier = previousQuarter(previousQuarter(cal.closedA));
  await claimsIn(api, tokens, pool, quarterFirstDay(earlier), quarterLastDay(earlier), { settled: 4, rejected: 1 });
  const claimedA = await claimsIn(api, tokens, pool, quarterFirstDay(cal.closedA), quarterLastDay(cal.closedA), { settled: 8, rejected: 2 });
  await reports(api, tokens, all, cal.closedA, claimedA);
  await api.post(`/v1/quarters/${cal.closedA}/close`, {}, tokens.trustee);
  const claimedB = await claimsIn(api, tokens, pool, quarterFirstDay(cal.closedB), quarterLastDay(cal.closedB), { settled: 6, rejected: 1 });
  for (const b of DEMO_BANKS) await api.post('/v1/reserve/interest', { bankCode: b.code, amount: money(120_000), creditedOn: addDays(quarterLastDay(cal.closedB), -10) });
  await reports(api, tokens, all, cal.closedB, new Set([...claimedA, ...claimedB]));
  await api.post(`/v1/quarters/${cal.closedB}/close`, {}, tokens.trustee);
  await openClaims(api, tokens, pool, cal);
  log('demo: claims in every status; two quarters closed');
  return tokens;
}

async function run(): Promise<void> {
  process.env.QUARTER_CHECK_SECONDS = '0';
  process.env.HEARTBEAT_SECONDS = process.env.HEARTBEAT_SECONDS ?? '0';
  process.env.RATE_LIMIT_PER_MINUTE = '0';
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'warn';
  const bootstrap = process.env.BOOTSTRAP_ADMIN_TOKEN ?? `demo-${randomBytes(24).toString('hex')}`;
  process.env.BOOTSTRAP_ADMIN_TOKEN = bootstrap;
  loadConfig();
  const app = await createApp();
  await app.listen(0, '127.0.0.1');
  const port = ((app.getHttpServer() as Server).address() as AddressInfo).port;
  try {
    const tokens = await fillDemo(`http://127.0.0.1:${port}`, bootstrap, app.get(Clock).today(), Number(process.env.DEMO_LOANS ?? 300), (line) => process.stdout.write(`${line}\n`));
    process.stdout.write('\nTokens (shown once; log in to the console at / with one of them):\n');
    const lines = [
      ['trustee', tokens.trustee],
      ['approver', tokens.approver],
      ['custodian', tokens.custodian],
      ['auditor', tokens.auditor],
      ...Object.entries(tokens.banks).map(([code, token]) => [`bank ${code}`, token]),
      ...Object.entries(tokens.agencies).map(([code, token]) => [`agency ${code}`, token]),
    ];
    for (const [who, token] of lines) process.stdout.write(`  ${who.padEnd(16)} ${token}\n`);
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  run().catch((error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
