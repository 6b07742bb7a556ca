import type { Principal } from '../common/access/principal';
import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError, type ErrorDetail } from '../common/errors/domain-error';
import { DEFAULT_PAGE_LIMIT, Page, decodeCursor, toPage } from '../common/http/pagination';
import { isUuid } from '../common/ids';
import { Money } from '../common/money/money';
import { type QualificationKind, type QualificationRecord, QUALIFICATION_ERRORS, checkQualificationRecord, maxValidTo } from './domain/qualifications';
import { Borrower, BorrowerQualification, BorrowerRevenue } from './programme.entities';
import { PROGRAMME_ERRORS } from './programme.errors';

export interface QualificationInput {
  kind: QualificationKind;
  validFrom: string;
  /** Default: the longest validity the rule allows (3 years for high-tech, the calendar year for tech SME). */
  validTo?: string;
  reference?: string;
}

export interface CreateBorrowerInput {
  code: string;
  name: string;
  highTech: boolean;
  techSme: boolean;
  revenues: { year: number; amount: string }[];
  groupCode?: string;
  qualifications?: QualificationInput[];
  researchCooperation?: boolean;
}

export interface BorrowerOut {
  code: string;
  name: string;
  highTech: boolean;
  techSme: boolean;
  groupCode: string | null;
  researchCooperation: boolean;
  revenues: { year: number; amount: string }[];
  qualifications: { id: string; kind: QualificationKind; validFrom: string; validTo: string; reference: string | null; validToday: boolean }[];
  createdAt: string;
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** Fills validTo and checks the dates; every problem of every record listed (400). */
function completeQualifications(list: readonly QualificationInput[], today: string): (QualificationRecord & { reference: string | null })[] {
  const problems: ErrorDetail[] = [];
  const records = list.map((q, i) => {
    const r = { kind: q.kind, validFrom: q.validFrom, validTo: q.validTo ?? maxValidTo(q.kind, q.validFrom), reference: q.reference ?? null };
    problems.push(...checkQualificationRecord(r, `qualifications[${i}]`));
    if (q.validFrom > today) problems.push({ code: QUALIFICATION_ERRORS.VALIDITY_INVALID, field: `qualifications[${i}].validFrom`, message: `validFrom ${q.validFrom} is after today (${today}): not granted yet` });
    return r;
  });
  if (problems.length) throw DomainError.invalid(QUALIFICATION_ERRORS.VALIDITY_INVALID, problems.map((p) => p.message).join('; '), problems);
  return records;
}

/**
 * Borrowers (科技企业): qualification flags, dated qualifications (RULES §2 revised 2026-12: a
 * high-tech certificate for 3 years from issue, a tech-SME registration for one calendar year),
 * research cooperation (henan-2025's 80% category), revenue by year and enterprise group. Loans
 * keep what they were registered with; later corrections do not touch them.
 */
@Injectable()
export class BorrowersService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly clock: Clock,
  ) {}

  async createBorrower(input: CreateBorrowerInput, principal?: Principal): Promise<BorrowerOut> {
    const years = new Set<number>();
    for (const r of input.revenues) {
      if (years.has(r.year)) {
        throw DomainError.invalid(PROGRAMME_ERRORS.BORROWER_REVENUE_DUPLICATE_YEAR, `Revenue for ${r.year} is given twice.`, [
          { code: PROGRAMME_ERRORS.BORROWER_REVENUE_DUPLICATE_YEAR, field: 'revenues', message: `year ${r.year} appears twice` },
        ]);
      }
      years.add(r.year);
    }
    const qualifications = completeQualifications(input.qualifications ?? [], this.clock.today());
    await this.tx.run(async (m) => {
      const values = { code: input.code, name: input.name, highTech: input.highTech, techSme: input.techSme, groupCode: input.groupCode ?? null, researchCooperation: input.researchCooperation ?? false, bankCode: principal?.role === 'bank' ? principal.partyCode : null };
      const inserted = await m.createQueryBuilder().insert().into(Borrower).values(values).orIgnore().returning(['code']).execute();
      if (!inserted.raw.length) {
        throw DomainError.conflict(PROGRAMME_ERRORS.BORROWER_DUPLICATE_CODE, `A borrower with code ${input.code} already exists.`);
      }
      if (input.revenues.length) {
        await m.insert(BorrowerRevenue, input.revenues.map((r) => ({ borrowerCode: input.code, year: r.year, amount: Money.parse(r.amount) })));
      }
      if (qualifications.length) await m.insert(BorrowerQualification, qualifications.map((q) => ({ borrowerCode: input.code, ...q })));
    });
    return this.getBorrowerOut(input.code);
  }

  /**
   * The borrower if the principal may see it (issue #15): a bank token only the borrowers it
   * registered; another bank's (or the trustee's) is a 404 like a missing one, so codes cannot be
   * probed. Programme-wide roles and agencies see every borrower.
   */
  async getVisibleBorrower(code: string, principal: Principal | undefined): Promise<Borrower> {
    const b = await this.getBorrower(code);
    if (principal?.role === 'bank' && b.bankCode !== principal.partyCode) {
      throw DomainError.notFound(PROGRAMME_ERRORS.BORROWER_NOT_FOUND, `No borrower with code ${code}.`);
    }
    return b;
  }

  async getBorrower(code: string, manager?: EntityManager): Promise<Borrower> {
    const b = await (manager ?? this.tx.manager).findOne(Borrower, { where: { code } });
    if (!b) throw DomainError.notFound(PROGRAMME_ERRORS.BORROWER_NOT_FOUND, `No borrower with code ${code}.`);
    return b;
  }

  /** Borrower names by code, for statements people read (issue 17); unknown codes are absent. */
  async borrowerNames(codes: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(codes)];
    if (!unique.length) return new Map();
    const rows = await this.tx.manager.find(Borrower, { where: { code: In(unique) }, select: { code: true, name: true } });
    return new Map(rows.map((b) => [b.code, b.name]));
  }

  async revenuesOf(code: string, manager?: EntityManager): Promise<{ year: number; amount: Money }[]> {
    const rows = await (manager ?? this.tx.manager).find(BorrowerRevenue, { where: { borrowerCode: code }, order: { year: 'ASC' } });
    return rows.map((r) => ({ year: r.year, amount: r.amount }));
  }

  /** The borrower's dated qualifications (RULES §2), oldest first. */
  async qualificationsOf(code: string, manager?: EntityManager): Promise<QualificationRecord[]> {
    const rows = await (manager ?? this.tx.manager).find(BorrowerQualification, { where: { borrowerCode: code }, order: { validFrom: 'ASC', recordedAt: 'ASC' } });
    return rows.map((r) => ({ kind: r.kind, validFrom: r.validFrom, validTo: r.validTo }));
  }

  private out(b: Borrower, revenues: BorrowerRevenue[], qualifications: BorrowerQualification[]): BorrowerOut {
    const today = this.clock.today();
    return {
      code: b.code,
      name: b.name,
      highTech: b.highTech,
      techSme: b.techSme,
      groupCode: b.groupCode,
      researchCooperation: b.researchCooperation,
      revenues: revenues.filter((r) => r.borrowerCode === b.code).map((r) => ({ year: r.year, amount: r.amount.toString() })),
      qualifications: qualifications
        .filter((q) => q.borrowerCode === b.code)
        .map((q) => ({ id: q.id, kind: q.kind, validFrom: q.validFrom, validTo: q.validTo, reference: q.reference, validToday: q.validFrom <= today && today <= q.validTo })),
      createdAt: b.createdAt.toISOString(),
    };
  }

  async getBorrowerOut(code: string, principal?: Principal): Promise<BorrowerOut> {
    const b = await this.getVisibleBorrower(code, principal);
    const m = this.tx.manager;
    const revenues = await m.find(BorrowerRevenue, { where: { borrowerCode: code }, order: { year: 'ASC' } });
    const qualifications = await m.find(BorrowerQualification, { where: { borrowerCode: code }, order: { validFrom: 'ASC', recordedAt: 'ASC' } });
    return this.out(b, revenues, qualifications);
  }

  async listBorrowers(filter: { groupCode?: string }, limit = DEFAULT_PAGE_LIMIT, cursor?: string, principal?: Principal): Promise<Page<BorrowerOut>> {
    const after = decodeCursor(cursor, isString);
    const qb = this.tx.manager.createQueryBuilder(Borrower, 'b').orderBy('b.code', 'ASC').take(limit + 1);
    if (filter.groupCode) qb.andWhere('b.group_code = :g', { g: filter.groupCode });
    if (principal?.role === 'bank') qb.andWhere('b.bank_code = :own', { own: principal.partyCode });
    if (after) qb.andWhere('b.code > :after', { after });
    const rows = await qb.getMany();
    const codes = rows.slice(0, limit).map((r) => r.code);
    const m = this.tx.manager;
    const revenues = codes.length ? await m.find(BorrowerRevenue, { where: { borrowerCode: In(codes) }, order: { year: 'ASC' } }) : [];
    const qualifications = codes.length ? await m.find(BorrowerQualification, { where: { borrowerCode: In(codes) }, order: { validFrom: 'ASC' } }) : [];
    return toPage(rows, limit, (b) => this.out(b, revenues, qualifications), (b) => b.code);
  }

  /** Records (or corrects) one year's revenue. Loans keep the revenue they were registered with. */
  async putRevenue(code: string, input: { year: number; amount: string }, principal?: Principal): Promise<BorrowerOut> {
    await this.getVisibleBorrower(code, principal);
    await this.tx.manager.getRepository(BorrowerRevenue).upsert({ borrowerCode: code, year: input.year, amount: Money.parse(input.amount) }, ['borrowerCode', 'year']);
    return this.getBorrowerOut(code);
  }

  /** Adds a dated qualification (a new certificate, a new year's tech-SME registration). */
  async addQualification(code: string, input: QualificationInput, principal?: Principal): Promise<BorrowerOut> {
    await this.getVisibleBorrower(code, principal);
    const [q] = completeQualifications([input], this.clock.today());
    await this.tx.manager.insert(BorrowerQualification, { borrowerCode: code, ...q });
    return this.getBorrowerOut(code);
  }

  /** Corrects a qualification's dates or reference (registered loans keep their breakdown). */
  async updateQualification(code: string, id: string, input: QualificationInput, principal?: Principal): Promise<BorrowerOut> {
    await this.getVisibleBorrower(code, principal);
    const existing = isUuid(id) ? await this.tx.manager.findOne(BorrowerQualification, { where: { id, borrowerCode: code } }) : null;
    if (!existing) throw DomainError.notFound(PROGRAMME_ERRORS.BORROWER_QUALIFICATION_NOT_FOUND, `No qualification ${id} for borrower ${code}.`);
    const [q] = completeQualifications([input], this.clock.today());
    await this.tx.manager.update(BorrowerQualification, { id }, q);
    return this.getBorrowerOut(code);
  }

  /** Sets the research-cooperation attribute (henan-2025's 80% category); registered loans keep their ratio. */
  async setResearchCooperation(code: string, researchCooperation: boolean, principal?: Principal): Promise<BorrowerOut> {
    await this.getVisibleBorrower(code, principal);
    await this.tx.manager.update(Borrower, { code }, { researchCooperation });
    return this.getBorrowerOut(code);
  }
}
