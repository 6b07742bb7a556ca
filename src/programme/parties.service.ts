import type { Principal } from '../common/access/principal';
import { Injectable } from '@nestjs/common';
import { EntityManager, In, LessThanOrEqual, MoreThan, Repository } from 'typeorm';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { DEFAULT_PAGE_LIMIT, Page, decodeCursor, toPage } from '../common/http/pagination';
import { Money } from '../common/money/money';
import { Rate } from '../common/money/rate';
import {
  Agency,
  AgencyChange,
  Agreement,
  Bank,
  PartyStatus,
} from './programme.entities';
import { BorrowersService } from './borrowers.service';
import { groupKeyOf } from './domain/group-key';
import { PROGRAMME_ERRORS, programmeErrors } from './programme.errors';

const isString = (v: unknown): v is string => typeof v === 'string';

export type PartyType = 'bank' | 'agency';

export interface BankOut {
  code: string;
  name: string;
  status: PartyStatus;
  statusReason: string | null;
  statusSince: string | null;
  lossRate: string | null;
  lossRateQuarter: string | null;
  createdAt: string;
}

export interface AgencyOut extends BankOut {
  feeRate: string;
  joinedOn: string;
}

export function bankOut(b: Bank): BankOut & { joinedOn: string | null } {
  return {
    code: b.code,
    name: b.name,
    joinedOn: b.joinedOn,
    status: b.status,
    statusReason: b.statusReason,
    statusSince: b.statusSince,
    lossRate: b.lossRate ? b.lossRate.toString() : null,
    lossRateQuarter: b.lossRateQuarter,
    createdAt: b.createdAt.toISOString(),
  };
}

export function agencyOut(a: Agency): AgencyOut {
  return {
    code: a.code,
    name: a.name,
    feeRate: a.feeRate.toString(),
    joinedOn: a.joinedOn,
    status: a.status,
    statusReason: a.statusReason,
    statusSince: a.statusSince,
    lossRate: a.lossRate ? a.lossRate.toString() : null,
    lossRateQuarter: a.lossRateQuarter,
    createdAt: a.createdAt.toISOString(),
  };
}

export function agreementOut(a: Agreement) {
  return { id: a.id, bankCode: a.bankCode, agencyCode: a.agencyCode, signedOn: a.signedOn, createdAt: a.createdAt.toISOString() };
}

export function agencyChangeOut(c: AgencyChange) {
  return {
    id: c.id,
    groupKey: c.groupKey,
    borrowerCode: c.borrowerCode,
    fromAgencyCode: c.fromAgencyCode,
    toAgencyCode: c.toAgencyCode,
    approvedOn: c.approvedOn,
    previousCreditLine: c.previousCreditLine.toString(),
    reason: c.reason,
    createdAt: c.createdAt.toISOString(),
  };
}

/**
 * Banks, agencies, tri-party agreements and agency changes (issue #5 item 1). Borrowers are
 * BorrowersService's; statuses and their reasons PartyStatusService's.
 */
@Injectable()
export class PartiesService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly borrowersService: BorrowersService,
  ) {}

  // Repositories on the open transaction when there is one (a write with an Idempotency-Key runs
  // in the request's transaction, docs/reliability.md "Idempotency"), else on the pool.
  private get banks(): Repository<Bank> {
    return this.tx.manager.getRepository(Bank);
  }

  private get agencies(): Repository<Agency> {
    return this.tx.manager.getRepository(Agency);
  }

  private get agreements(): Repository<Agreement> {
    return this.tx.manager.getRepository(Agreement);
  }

  private get changes(): Repository<AgencyChange> {
    return this.tx.manager.getRepository(AgencyChange);
  }

  // ---- banks ----

  async createBank(input: { code: string; name: string; joinedOn?: string }): Promise<Bank> {
    const inserted = await this.banks
      .createQueryBuilder()
      .insert()
      .values({ code: input.code, name: input.name, joinedOn: input.joinedOn ?? null, status: 'active' })
      .orIgnore()
      .returning(['code'])
      .execute();
    if (!inserted.raw.length) throw DomainError.conflict(PROGRAMME_ERRORS.BANK_DUPLICATE_CODE, `A bank with code ${input.code} already exists.`);
    return this.getBank(input.code);
  }

  async getBank(code: string, manager?: EntityManager): Promise<Bank> {
    const bank = await (manager ?? this.tx.manager).findOne(Bank, { where: { code } });
    if (!bank) throw programmeErrors.bankNotFound(code);
    return bank;
  }

  /** Bank names by code, for the names people read beside the codes (issue 17); unknown codes are absent. */
  async bankNames(codes: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(codes)];
    if (!unique.length) return new Map();
    const rows = await this.banks.find({ where: { code: In(unique) }, select: { code: true, name: true } });
    return new Map(rows.map((b) => [b.code, b.name]));
  }

  /** Agency names by code (as bankNames). */
  async agencyNames(codes: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(codes)];
    if (!unique.length) return new Map();
    const rows = await this.agencies.find({ where: { code: In(unique) }, select: { code: true, name: true } });
    return new Map(rows.map((a) => [a.code, a.name]));
  }

  async listBanks(limit = DEFAULT_PAGE_LIMIT, cursor?: string): Promise<Page<BankOut>> {
    const after = decodeCursor(cursor, isString);
    const rows = await this.banks.find({ where: after ? { code: MoreThan(after) } : {}, order: { code: 'ASC' }, take: limit + 1 });
    return toPage(rows, limit, bankOut, (r) => r.code);
  }

  // ---- agencies ----

  async createAgency(input: { code: string; name: string; feeRate: string; joinedOn: string }): Promise<Agency> {
    const inserted = await this.agencies
      .createQueryBuilder()
      .insert()
      .values({ code: input.code, name: input.name, feeRate: Rate.parse(input.feeRate), joinedOn: input.joinedOn, status: 'active' })
      .orIgnore()
      .returning(['code'])
      .execute();
    if (!inserted.raw.length) {
      throw DomainError.conflict(PROGRAMME_ERRORS.AGENCY_DUPLICATE_CODE, `An agency with code ${input.code} already exists.`);
    }
    return this.getAgency(input.code);
  }

  async getAgency(code: string, manager?: EntityManager): Promise<Agency> {
    const agency = await (manager ?? this.tx.manager).findOne(Agency, { where: { code } });
    if (!agency) throw programmeErrors.agencyNotFound(code);
    return agency;
  }

  async listAgencies(limit = DEFAULT_PAGE_LIMIT, cursor?: string): Promise<Page<AgencyOut>> {
    const after = decodeCursor(cursor, isString);
    const rows = await this.agencies.find({ where: after ? { code: MoreThan(after) } : {}, order: { code: 'ASC' }, take: limit + 1 });
    return toPage(rows, limit, agencyOut, (r) => r.code);
  }

  // ---- locks ----

  /**
   * Locks banks' rows until the caller's transaction ends, in code order (one order for every
   * caller, so concurrent writers queue instead of deadlocking): one writer at a time per bank for
   * work that must see the bank's own state unchanged (a report version, a payout plan).
   */
  async lockBanks(codes: readonly string[]): Promise<void> {
    await this.requireTransaction('lockBanks').query('SELECT code FROM banks WHERE code = ANY($1::text[]) ORDER BY code FOR UPDATE', [[...codes]]);
  }

  /** Locks agencies' rows in code order until the caller's transaction ends (see lockBanks). */
  async lockAgencies(codes: readonly string[]): Promise<void> {
    await this.requireTransaction('lockAgencies').query('SELECT code FROM agencies WHERE code = ANY($1::text[]) ORDER BY code FOR UPDATE', [[...codes]]);
  }

  private requireTransaction(what: string): EntityManager {
    const m = this.tx.current();
    // A programmer error: without a transaction the row locks would not outlive the statement.
    if (!m) throw new Error(`PartiesService.${what} needs an open transaction (TransactionScope.run)`);
    return m;
  }

  // ---- agreements ----

  async createAgreement(input: { bankCode: string; agencyCode: string; signedOn: string }): Promise<Agreement> {
    await this.getBank(input.bankCode);
    await this.getAgency(input.agencyCode);
    const inserted = await this.agreements
      .createQueryBuilder()
      .insert()
      .values(input)
      .orIgnore()
      .returning(['id'])
      .execute();
    if (!inserted.raw.length) {
      throw DomainError.conflict(
        PROGRAMME_ERRORS.AGREEMENT_DUPLICATE,
        `Bank ${input.bankCode} and agency ${input.agencyCode} already have a tri-party agreement.`,
      );
    }
    return this.agreements.findOneByOrFail({ id: (inserted.raw as { id: string }[])[0].id });
  }

  async agreementBetween(bankCode: string, agencyCode: string, manager?: EntityManager): Promise<Agreement | null> {
    return (manager ?? this.tx.manager).findOne(Agreement, { where: { bankCode, agencyCode } });
  }

  async listAgreements(filter: { bankCode?: string; agencyCode?: string }, limit = DEFAULT_PAGE_LIMIT, cursor?: string) {
    const after = decodeCursor(cursor, isString);
    const qb = this.agreements.createQueryBuilder('a').orderBy('a.id', 'ASC').take(limit + 1);
    if (filter.bankCode) qb.andWhere('a.bank_code = :b', { b: filter.bankCode });
    if (filter.agencyCode) qb.andWhere('a.agency_code = :g', { g: filter.agencyCode });
    if (after) qb.andWhere('a.id > :after', { after });
    return toPage(await qb.getMany(), limit, agreementOut, (r) => r.id);
  }

  // ---- agency changes (A 第七条) ----

  async recordAgencyChange(input: {
    borrowerCode: string;
    fromAgencyCode: string;
    toAgencyCode: string;
    approvedOn: string;
    previousCreditLine: string;
    reason: string;
  }): Promise<AgencyChange> {
    const borrower = await this.borrowersService.getBorrower(input.borrowerCode);
    await this.getAgency(input.fromAgencyCode);
    await this.getAgency(input.toAgencyCode);
    if (input.fromAgencyCode === input.toAgencyCode) {
      throw DomainError.invalid(PROGRAMME_ERRORS.AGENCY_CHANGE_SAME_AGENCY, 'fromAgencyCode and toAgencyCode must differ.');
    }
    const saved = await this.changes.save(
      this.changes.create({
        groupKey: groupKeyOf(borrower),
        borrowerCode: borrower.code,
        fromAgencyCode: input.fromAgencyCode,
        toAgencyCode: input.toAgencyCode,
        approvedOn: input.approvedOn,
        previousCreditLine: Money.parse(input.previousCreditLine),
        reason: input.reason,
      }),
    );
    return this.changes.findOneByOrFail({ id: saved.id });
  }

  /**
   * The group's latest approved change of agency on or before `date` (ties on the date: the latest
   * recorded), or null. Read in the caller's transaction when one is open (TransactionScope), so a
   * registration sees the changes its group lock protects.
   */
  async latestAgencyChangeOfGroup(groupKey: string, date: string): Promise<AgencyChange | null> {
    return this.tx.manager.findOne(AgencyChange, {
      where: { groupKey, approvedOn: LessThanOrEqual(date) },
      order: { approvedOn: 'DESC', createdAt: 'DESC' },
    });
  }

  /**
   * The group's latest approved change of agency *to* `agencyCode` on or before `date` (ties: the
   * latest recorded), or null: the change that caps the group's credit with that agency for a year
   * (A 第七条). Read in the caller's transaction when one is open.
   */
  async latestChangeToAgency(groupKey: string, agencyCode: string, date: string): Promise<AgencyChange | null> {
    return this.tx.manager.findOne(AgencyChange, {
      where: { groupKey, toAgencyCode: agencyCode, approvedOn: LessThanOrEqual(date) },
      order: { approvedOn: 'DESC', createdAt: 'DESC' },
    });
  }

  async agencyChangesOf(borrowerCode: string, principal?: Principal) {
    const borrower = await this.borrowersService.getVisibleBorrower(borrowerCode, principal);
    const rows = await this.changes.find({ where: { groupKey: groupKeyOf(borrower) }, order: { approvedOn: 'ASC', createdAt: 'ASC' } });
    return rows.map(agencyChangeOut);
  }
}
