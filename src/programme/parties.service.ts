import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, LessThanOrEqual, MoreThan, Repository } from 'typeorm';
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
  Borrower,
  BorrowerRevenue,
  PartyStatus,
  PartyStatusChange,
} from './programme.entities';
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

export interface BorrowerOut {
  code: string;
  name: string;
  highTech: boolean;
  techSme: boolean;
  groupCode: string | null;
  revenues: { year: number; amount: string }[];
  createdAt: string;
}

export function bankOut(b: Bank): BankOut {
  return {
    code: b.code,
    name: b.name,
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
 * Banks, agencies, tri-party agreements, borrowers and agency changes (issue #5 item 1). Other
 * modules read parties through this service (e.g. `statusOn` for the registration rules).
 */
@Injectable()
export class PartiesService {
  constructor(
    @InjectRepository(Bank) private readonly banks: Repository<Bank>,
    @InjectRepository(Agency) private readonly agencies: Repository<Agency>,
    @InjectRepository(Agreement) private readonly agreements: Repository<Agreement>,
    @InjectRepository(Borrower) private readonly borrowers: Repository<Borrower>,
    @InjectRepository(BorrowerRevenue) private readonly revenues: Repository<BorrowerRevenue>,
    @InjectRepository(AgencyChange) private readonly changes: Repository<AgencyChange>,
    private readonly tx: TransactionScope,
  ) {}

  // ---- banks ----

  async createBank(input: { code: string; name: string }): Promise<Bank> {
    const inserted = await this.banks
      .createQueryBuilder()
      .insert()
      .values({ code: input.code, name: input.name, status: 'active' })
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

  // ---- statuses ----

  /**
   * Records a status from `since` (kept as history) and sets the party's current status to the one
   * with the latest `since` (ties: the latest recorded).
   */
  async setStatus(type: PartyType, code: string, input: { status: PartyStatus; reason: string; since: string }, manager?: EntityManager) {
    const run = async (m: EntityManager) => {
      const entity = type === 'bank' ? Bank : Agency;
      const locked = await m.getRepository(entity).findOne({ where: { code }, lock: { mode: 'pessimistic_write' } });
      if (!locked) {
        throw type === 'bank' ? programmeErrors.bankNotFound(code) : programmeErrors.agencyNotFound(code);
      }
      await m.insert(PartyStatusChange, { partyType: type, partyCode: code, status: input.status, reason: input.reason, since: input.since });
      const latest = await m.findOne(PartyStatusChange, {
        where: { partyType: type, partyCode: code },
        order: { since: 'DESC', id: 'DESC' },
      });
      if (latest) {
        await m.update(entity, { code }, { status: latest.status, statusReason: latest.reason, statusSince: latest.since });
      }
      return type === 'bank' ? bankOut(await this.getBank(code, m)) : agencyOut(await this.getAgency(code, m));
    };
    // Inside a caller's transaction (e.g. a margin shortfall suspends an agency together with the
    // approval that caused it), or in one of its own.
    return manager ? run(manager) : this.tx.run(run);
  }

  /** The status in force on `date`: the latest change with since ≤ date, else `active`. */
  async statusOn(type: PartyType, code: string, date: string, manager?: EntityManager): Promise<{ status: PartyStatus; reason: string | null; since: string | null }> {
    const latest = await (manager ?? this.tx.manager).findOne(PartyStatusChange, {
      where: { partyType: type, partyCode: code, since: LessThanOrEqual(date) },
      order: { since: 'DESC', id: 'DESC' },
    });
    return latest ? { status: latest.status, reason: latest.reason, since: latest.since } : { status: 'active', reason: null, since: null };
  }

  async statusHistory(type: PartyType, code: string) {
    if (type === 'bank') await this.getBank(code);
    else await this.getAgency(code);
    const rows = await this.tx.manager.find(PartyStatusChange, {
      where: { partyType: type, partyCode: code },
      order: { since: 'ASC', id: 'ASC' },
    });
    return rows.map((r) => ({ status: r.status, reason: r.reason, since: r.since, recordedAt: r.recordedAt.toISOString() }));
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

  // ---- borrowers ----

  async createBorrower(input: {
    code: string;
    name: string;
    highTech: boolean;
    techSme: boolean;
    revenues: { year: number; amount: string }[];
    groupCode?: string;
  }): Promise<BorrowerOut> {
    const years = new Set<number>();
    for (const r of input.revenues) {
      if (years.has(r.year)) {
        throw DomainError.invalid(PROGRAMME_ERRORS.BORROWER_REVENUE_DUPLICATE_YEAR, `Revenue for ${r.year} is given twice.`, [
          { code: PROGRAMME_ERRORS.BORROWER_REVENUE_DUPLICATE_YEAR, field: 'revenues', message: `year ${r.year} appears twice` },
        ]);
      }
      years.add(r.year);
    }
    await this.tx.run(async (m) => {
      const inserted = await m
        .createQueryBuilder()
        .insert()
        .into(Borrower)
        .values({ code: input.code, name: input.name, highTech: input.highTech, techSme: input.techSme, groupCode: input.groupCode ?? null })
        .orIgnore()
        .returning(['code'])
        .execute();
      if (!inserted.raw.length) {
        throw DomainError.conflict(PROGRAMME_ERRORS.BORROWER_DUPLICATE_CODE, `A borrower with code ${input.code} already exists.`);
      }
      if (input.revenues.length) {
        await m.insert(
          BorrowerRevenue,
          input.revenues.map((r) => ({ borrowerCode: input.code, year: r.year, amount: Money.parse(r.amount) })),
        );
      }
    });
    return this.getBorrowerOut(input.code);
  }

  async getBorrower(code: string, manager?: EntityManager): Promise<Borrower> {
    const b = await (manager ?? this.tx.manager).findOne(Borrower, { where: { code } });
    if (!b) throw DomainError.notFound(PROGRAMME_ERRORS.BORROWER_NOT_FOUND, `No borrower with code ${code}.`);
    return b;
  }

  async revenuesOf(code: string, manager?: EntityManager): Promise<{ year: number; amount: Money }[]> {
    const rows = await (manager ?? this.tx.manager).find(BorrowerRevenue, { where: { borrowerCode: code }, order: { year: 'ASC' } });
    return rows.map((r) => ({ year: r.year, amount: r.amount }));
  }

  async getBorrowerOut(code: string): Promise<BorrowerOut> {
    const b = await this.getBorrower(code);
    const revenues = await this.revenuesOf(code);
    return {
      code: b.code,
      name: b.name,
      highTech: b.highTech,
      techSme: b.techSme,
      groupCode: b.groupCode,
      revenues: revenues.map((r) => ({ year: r.year, amount: r.amount.toString() })),
      createdAt: b.createdAt.toISOString(),
    };
  }

  async listBorrowers(filter: { groupCode?: string }, limit = DEFAULT_PAGE_LIMIT, cursor?: string): Promise<Page<BorrowerOut>> {
    const after = decodeCursor(cursor, isString);
    const qb = this.borrowers.createQueryBuilder('b').orderBy('b.code', 'ASC').take(limit + 1);
    if (filter.groupCode) qb.andWhere('b.group_code = :g', { g: filter.groupCode });
    if (after) qb.andWhere('b.code > :after', { after });
    const rows = await qb.getMany();
    const codes = rows.slice(0, limit).map((r) => r.code);
    const revenues = codes.length
      ? await this.revenues.createQueryBuilder('r').where('r.borrower_code IN (:...codes)', { codes }).orderBy('r.year', 'ASC').getMany()
      : [];
    return toPage(
      rows,
      limit,
      (b) => ({
        code: b.code,
        name: b.name,
        highTech: b.highTech,
        techSme: b.techSme,
        groupCode: b.groupCode,
        revenues: revenues.filter((r) => r.borrowerCode === b.code).map((r) => ({ year: r.year, amount: r.amount.toString() })),
        createdAt: b.createdAt.toISOString(),
      }),
      (b) => b.code,
    );
  }

  /** Records (or corrects) one year's revenue. Loans keep the revenue they were registered with. */
  async putRevenue(code: string, input: { year: number; amount: string }): Promise<BorrowerOut> {
    await this.getBorrower(code);
    await this.revenues.upsert({ borrowerCode: code, year: input.year, amount: Money.parse(input.amount) }, ['borrowerCode', 'year']);
    return this.getBorrowerOut(code);
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
    const borrower = await this.getBorrower(input.borrowerCode);
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

  async agencyChangesOf(borrowerCode: string) {
    const borrower = await this.getBorrower(borrowerCode);
    const rows = await this.changes.find({ where: { groupKey: groupKeyOf(borrower) }, order: { approvedOn: 'ASC', createdAt: 'ASC' } });
    return rows.map(agencyChangeOut);
  }
}
