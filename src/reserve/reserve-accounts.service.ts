import { Injectable } from '@nestjs/common';
import { assertBankScope } from '../common/access/party-scope';
import type { Principal } from '../common/access/principal';
import { assertEventDates } from '../common/calendar/event-dates';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import { ledgerErrors } from '../ledger/domain/ledger.errors';
import { LedgerAccountsService } from '../ledger/ledger-accounts.service';
import { LedgerPostingService } from '../ledger/ledger-posting.service';
import { LedgerQueryService } from '../ledger/ledger-query.service';
import { PartiesService } from '../programme/parties.service';
import { accountDetailProblems, accountMovePosting, moveDateProblems } from './domain/account-move';
import { type AccountDefinition, DEPOSIT_PREFIX, RESERVE_BOOK, depositCode, parseDepositCode, reserveAccounts } from './domain/books';
import { RESERVE_ERRORS } from './domain/reserve.errors';
import { ReserveAccount } from './reserve-account.entity';

/** One reserve account as the API shows it. */
export interface ReserveAccountView {
  accountCode: string;
  ordinal: number;
  branch: string | null;
  accountNumber: string | null;
  openedOn: string | null;
  closedOn: string | null;
  status: 'open' | 'closed';
  balance: string;
}

/** The details a move or a registration gives. */
export interface AccountDetails {
  branch: string;
  accountNumber: string;
}

/**
 * The reserve accounts of the partner banks (RULES §8 "Accounts may only be opened at partner
 * banks; moving an account transfers the whole balance and closes the old one", R 第九–十一条;
 * docs/reserve-accounts.md): their details, and moves. It is also the one place that says which
 * ledger account is a bank's *current* reserve deposit account: every flow that pays into or out
 * of "the bank's account" asks `currentDeposit` / `currentDeposits`.
 */
@Injectable()
export class ReserveAccountsService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly posting: LedgerPostingService,
    private readonly ledgerAccounts: LedgerAccountsService,
    private readonly ledgerQuery: LedgerQueryService,
    private readonly parties: PartiesService,
    private readonly clock: Clock,
  ) {}

  /** The bank's current (open) reserve deposit account: the latest one a move opened, else its first. */
  async currentDeposit(bankCode: string): Promise<AccountDefinition> {
    return (await this.currentDeposits([bankCode])).get(bankCode) as AccountDefinition;
  }

  /** `currentDeposit` of several banks in one read. */
  async currentDeposits(bankCodes: readonly string[]): Promise<Map<string, AccountDefinition>> {
    const ordinals = await this.currentOrdinals(bankCodes);
    return new Map([...ordinals].map(([b, n]) => [b, reserveAccounts.deposit(b, n)]));
  }

  /** Each bank's current deposit account as its ordinal (reserve:deposit:BANK[:n], `depositCode`); 1 for a bank that never moved. */
  async currentOrdinals(bankCodes: readonly string[]): Promise<Map<string, number>> {
    const unique = [...new Set(bankCodes)];
    const open = unique.length
      ? ((await this.tx.manager.query(`SELECT bank_code, ordinal FROM reserve_accounts WHERE status = 'open' AND bank_code = ANY($1::text[])`, [unique])) as {
          bank_code: string;
          ordinal: number;
        }[])
      : [];
    const ordinals = new Map(open.map((r) => [r.bank_code, Number(r.ordinal)]));
    return new Map(unique.map((b) => [b, ordinals.get(b) ?? 1]));
  }

  /**
   * The ledger code of a bank's reserve account: the one with that number (any status: a statement
   * of a closed account is still reconciled), else the bank's current one. 404 for a number the
   * bank never had.
   */
  async depositCodeFor(bankCode: string, accountNumber?: string): Promise<string> {
    if (accountNumber === undefined) return (await this.currentDeposit(bankCode)).code;
    const row = await this.tx.manager.getRepository(ReserveAccount).findOne({ where: { bankCode, accountNumber } });
    if (!row) {
      throw DomainError.notFound(RESERVE_ERRORS.ACCOUNT_NOT_FOUND, `${bankCode} has no reserve account numbered ${accountNumber}.`, [
        { code: RESERVE_ERRORS.ACCOUNT_NOT_FOUND, field: 'accountNumber', message: 'not one of the bank’s reserve accounts' },
      ]);
    }
    return row.accountCode;
  }

  /**
   * GET /v1/reserve/accounts: per bank its balance (the sum of its accounts: the closed ones hold
   * 0.00), its current account and every account it has had, with details and balances. A bank
   * token sees its own bank only.
   */
  async list(filter: { bankCode?: string }, principal?: Principal) {
    // A bank token reads its own bank only: another bank asked for by name is a 403 (AUTH.PARTY_SCOPE).
    if (filter.bankCode) assertBankScope(principal, filter.bankCode);
    const bank = principal?.role === 'bank' ? (principal.partyCode as string) : filter.bankCode;
    const rows = await this.tx.manager.getRepository(ReserveAccount).find({ where: bank ? { bankCode: bank } : {}, order: { bankCode: 'ASC', ordinal: 'ASC' } });
    const balances = await this.ledgerAccounts.balancesByPrefix(RESERVE_BOOK, DEPOSIT_PREFIX);
    const byBank = new Map<string, Map<number, ReserveAccountView>>();
    const slot = (b: string) => byBank.get(b) ?? (byBank.set(b, new Map()).get(b) as Map<number, ReserveAccountView>);
    for (const r of balances) {
      const parsed = parseDepositCode(r.code);
      if (!parsed || (bank && parsed.bankCode !== bank)) continue;
      slot(parsed.bankCode).set(parsed.ordinal, blankView(r.code, parsed.ordinal, r.balance));
    }
    for (const row of rows) {
      const accounts = slot(row.bankCode);
      const balance = accounts.get(row.ordinal)?.balance ?? '0.00';
      accounts.set(row.ordinal, { ...toView(row), balance });
    }
    return {
      banks: [...byBank.keys()].sort().map((bankCode) => {
        const accounts = [...(byBank.get(bankCode) as Map<number, ReserveAccountView>).values()].sort((a, b) => a.ordinal - b.ordinal);
        const current = accounts.find((a) => a.status === 'open');
        return { bankCode, balance: Money.sum(accounts.map((a) => Money.of(a.balance))).toString(), currentAccountCode: current?.accountCode ?? null, accounts };
      }),
    };
  }

  /**
   * PUT /v1/reserve/accounts/{bankCode}: records (or corrects) the branch and account number of
   * the bank's current account. 404 for an unknown bank, 422 for bad details, 409 when the number
   * is one of the bank's earlier accounts.
   */
  async register(bankCode: string, input: AccountDetails & { openedOn?: string }) {
    return this.tx.run(async (m) => {
      await this.parties.getBank(bankCode, m);
      this.assertDetails(input, input.openedOn ? [{ field: 'openedOn', date: input.openedOn }] : []);
      await this.parties.lockBanks([bankCode]);
      const repo = m.getRepository(ReserveAccount);
      const accounts = await repo.find({ where: { bankCode }, order: { ordinal: 'ASC' } });
      const current = accounts.find((a) => a.status === 'open');
      assertNumberUnused(accounts.filter((a) => a !== current), input.accountNumber);
      const saved = current
        ? await repo.save(Object.assign(current, { branch: input.branch, accountNumber: input.accountNumber, openedOn: input.openedOn ?? current.openedOn }))
        : await repo.save(repo.create(newRow(bankCode, 1, input, input.openedOn ?? null)));
      const balance = await this.ledgerAccounts.currentBalance(RESERVE_BOOK, saved.accountCode);
      return { bankCode, account: { ...toView(saved), balance: balance.toString() } };
    });
  }

  /**
   * POST /v1/reserve/accounts/{bankCode}/moves (R 第十一条): opens the bank's next account, posts
   * ONE entry carrying the old account's whole balance over (Dr new / Cr old; none when it holds
   * 0.00) and closes the old account in the ledger (no posting accepted into it afterwards) and
   * here — one transaction. The old account's balance row is locked first, so nothing can move it
   * between reading the balance and closing it.
   */
  async move(bankCode: string, input: AccountDetails & { movedOn: string; fromAccountNumber?: string }) {
    return this.tx.run(async (m) => {
      await this.parties.getBank(bankCode, m);
      this.assertDetails(input, [{ field: 'movedOn', date: input.movedOn }]);
      await this.parties.lockBanks([bankCode]);
      const repo = m.getRepository(ReserveAccount);
      const accounts = await repo.find({ where: { bankCode }, order: { ordinal: 'ASC' } });
      const current = accounts.find((a) => a.status === 'open') ?? null;
      assertMovable(bankCode, accounts, current, input);
      const fromOrdinal = current?.ordinal ?? 1;
      const oldDef = reserveAccounts.deposit(bankCode, fromOrdinal);
      await this.ledgerAccounts.ensureAccount(oldDef);
      const old = await this.ledgerAccounts.lockAccount(RESERVE_BOOK, oldDef.code);
      if (!old || old.closedOn) throw alreadyClosed(bankCode, input.fromAccountNumber ?? current?.accountNumber ?? oldDef.code, old?.closedOn ?? '');
      const dateProblems = moveDateProblems(input.movedOn, { openedOn: current?.openedOn ?? null, lastMovementOn: old.lastMovementOn });
      if (dateProblems.length) throw DomainError.rule(RESERVE_ERRORS.INVALID_ACCOUNT_DETAILS, 'The move cannot be dated so.', dateProblems);
      const { closedThrough } = await this.ledgerQuery.book(RESERVE_BOOK, m);
      if (closedThrough !== null && input.movedOn <= closedThrough) throw ledgerErrors.closedPeriod(RESERVE_BOOK, closedThrough, input.movedOn);

      // The old row is closed before the new one is inserted (one open account per bank, a unique index).
      const closing = current ?? repo.create({ bankCode, ordinal: 1, accountCode: oldDef.code, branch: null, accountNumber: null, openedOn: null });
      const saved = await repo.save(Object.assign(closing, { status: 'closed' as const, closedOn: input.movedOn }));
      const toOrdinal = Math.max(fromOrdinal, ...accounts.map((a) => a.ordinal)) + 1;
      const fresh = await repo.save(repo.create(newRow(bankCode, toOrdinal, input, input.movedOn)));
      const recipe = accountMovePosting({ bankCode, fromOrdinal, toOrdinal, balance: old.balance, movedOn: input.movedOn, moveId: fresh.id, accountNumber: input.accountNumber });
      await this.ledgerAccounts.ensureAccounts(recipe.accounts);
      const entry = old.balance.isPositive() ? await this.posting.post(null, recipe.entry) : null;
      await this.ledgerAccounts.closeAccount(RESERVE_BOOK, oldDef.code, input.movedOn);
      await repo.update({ id: saved.id }, { movedTo: fresh.id, moveEntryId: entry?.id ?? null });
      return {
        bankCode,
        movedOn: input.movedOn,
        amount: old.balance.toString(),
        entryId: entry?.id ?? null,
        sequence: entry?.sequence ?? null,
        from: { ...toView(saved), balance: '0.00' },
        to: { ...toView(fresh), balance: old.balance.toString() },
      };
    });
  }

  /** 422 with every problem of the details and dates (dates of events that happened: not in the future). */
  private assertDetails(input: AccountDetails, dates: { field: string; date: string }[]): void {
    const problems = accountDetailProblems(input);
    if (problems.length) throw DomainError.rule(RESERVE_ERRORS.INVALID_ACCOUNT_DETAILS, 'The account details are not valid.', problems);
    assertEventDates(this.clock.today(), dates);
  }
}

function newRow(bankCode: string, ordinal: number, details: AccountDetails, openedOn: string | null): Partial<ReserveAccount> {
  return { bankCode, ordinal, accountCode: depositCode(bankCode, ordinal), branch: details.branch, accountNumber: details.accountNumber, openedOn, closedOn: null, status: 'open' };
}

function toView(row: ReserveAccount): Omit<ReserveAccountView, 'balance'> {
  return {
    accountCode: row.accountCode,
    ordinal: row.ordinal,
    branch: row.branch,
    accountNumber: row.accountNumber,
    openedOn: row.openedOn,
    closedOn: row.closedOn,
    status: row.status,
  };
}

/** A ledger deposit account with no recorded details (a bank's first account, funded before its details were registered). */
function blankView(accountCode: string, ordinal: number, balance: Money): ReserveAccountView {
  return { accountCode, ordinal, branch: null, accountNumber: null, openedOn: null, closedOn: null, status: 'open', balance: balance.toString() };
}

/** 409 when the number is one of the given accounts' (a number names one account of a bank, once). */
function assertNumberUnused(others: readonly ReserveAccount[], accountNumber: string): void {
  const used = others.find((a) => a.accountNumber === accountNumber);
  if (used) {
    throw DomainError.conflict(RESERVE_ERRORS.ACCOUNT_NUMBER_USED, `Account number ${accountNumber} is the bank's account ${used.accountCode} (${used.status}); a number is used once.`, [
      { code: RESERVE_ERRORS.ACCOUNT_NUMBER_USED, field: 'accountNumber', message: `already ${used.accountCode}`, accountCode: used.accountCode },
    ]);
  }
}

/** The move's refusals that need no ledger read: the account it names, and the new number. */
function assertMovable(bankCode: string, accounts: readonly ReserveAccount[], current: ReserveAccount | null, input: AccountDetails & { fromAccountNumber?: string }): void {
  if (input.fromAccountNumber !== undefined && input.fromAccountNumber !== current?.accountNumber) {
    const named = accounts.find((a) => a.accountNumber === input.fromAccountNumber);
    if (named?.status === 'closed') throw alreadyClosed(bankCode, input.fromAccountNumber, named.closedOn as string);
    throw DomainError.notFound(RESERVE_ERRORS.ACCOUNT_NOT_FOUND, `${bankCode} has no open reserve account numbered ${input.fromAccountNumber}.`, [
      { code: RESERVE_ERRORS.ACCOUNT_NOT_FOUND, field: 'fromAccountNumber', message: 'not the bank’s current account' },
    ]);
  }
  if (current?.accountNumber === input.accountNumber) {
    throw DomainError.conflict(RESERVE_ERRORS.SAME_ACCOUNT, `${bankCode}'s current reserve account is already number ${input.accountNumber}: nothing to move.`, [
      { code: RESERVE_ERRORS.SAME_ACCOUNT, field: 'accountNumber', message: 'the current account’s number' },
    ]);
  }
  assertNumberUnused(accounts, input.accountNumber);
}

function alreadyClosed(bankCode: string, account: string, closedOn: string): DomainError {
  return DomainError.conflict(RESERVE_ERRORS.ACCOUNT_CLOSED, `${bankCode}'s reserve account ${account} was closed on ${closedOn}; it cannot be moved again.`, [
    { code: RESERVE_ERRORS.ACCOUNT_CLOSED, message: `closed on ${closedOn}`, account, closedOn },
  ]);
}
