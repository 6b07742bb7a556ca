import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { assertBankScope } from '../common/access/party-scope';
import type { Principal } from '../common/access/principal';
import { eventDateProblems } from '../common/calendar/event-dates';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { DEFAULT_PAGE_LIMIT, Page, decodeCursor, toPage } from '../common/http/pagination';
import { isUuid } from '../common/ids';
import { Money } from '../common/money/money';
import { Rate } from '../common/money/rate';
import { BorrowerProfilesService } from './borrower-profiles.service';
import { BorrowersService } from './borrowers.service';
import type { ApplicationFacts } from './domain/programme-facts';
import { checkProgrammeApplication } from './domain/programme-rules';
import { PROGRAMME_DATA_ERRORS as E } from './domain/programme-rules.errors';
import { rowInForce } from './domain/reference-rates';
import { PartiesService } from './parties.service';
import { ProgrammeLoan } from './programme-data.entities';
import { ProgrammesService, versionInForce } from './programmes.service';
import { ReferenceRatesService } from './reference-rates.service';

export interface RegisterProgrammeLoanInput {
  reference: string;
  bankCode: string;
  borrowerCode: string;
  product: string;
  amount: string;
  annualRate: string;
  termMonths: number;
  contractDate: string;
  registeredOn: string;
  preferentialMonths?: number;
  declarations?: Record<string, boolean>;
}

export function programmeLoanOut(l: ProgrammeLoan) {
  return {
    id: l.id,
    programmeCode: l.programmeCode,
    programmeVersionId: l.programmeVersionId,
    product: l.product,
    reference: l.reference,
    bankCode: l.bankCode,
    borrowerCode: l.borrowerCode,
    borrowerType: l.borrowerType,
    amount: l.amount.toString(),
    annualRate: l.annualRate.toString(),
    termMonths: l.termMonths,
    contractDate: l.contractDate,
    registeredOn: l.registeredOn,
    facts: l.facts,
    warnings: l.warnings,
    breakdown: l.breakdown,
    createdAt: l.createdAt.toISOString(),
  };
}

/** Terms up to this many months use the 1-year LPR, longer ones the 5-year (as Henan's lprOneYearTermMonthsMax). */
const LPR_ONE_YEAR_TERM_MONTHS_MAX = 60;

/**
 * Registration of a loan against a programme other than Henan's tech loans (issue 18 item 2): the
 * version of the programme in force on the registration date, its product's rules checked on the
 * borrower's facts, every broken rule (hard and soft) returned at once with its text and source
 * (as Henan's registration does). Soft failures are stored on the loan as warnings. Henan's party
 * statuses (its loss-rate fuse) are Henan's and do not apply here.
 */
@Injectable()
export class ProgrammeLoansService {
  private readonly logger = new Logger('ProgrammeLoansService');

  constructor(
    private readonly tx: TransactionScope,
    private readonly programmes: ProgrammesService,
    private readonly parties: PartiesService,
    private readonly borrowers: BorrowersService,
    private readonly profiles: BorrowerProfilesService,
    private readonly rates: ReferenceRatesService,
    private readonly clock: Clock,
  ) {}

  async register(code: string, input: RegisterProgrammeLoanInput, principal?: Principal): Promise<ProgrammeLoan> {
    assertBankScope(principal, input.bankCode);
    const amount = Money.parse(input.amount);
    const annualRate = Rate.parse(input.annualRate);
    return this.tx.run(async (m) => {
      const programme = await this.programmes.programme(code, m);
      const versions = await this.programmes.versionsOf(code, m);
      if (!versions.length) {
        throw DomainError.conflict(E.REGISTERS_ELSEWHERE, `Loans of ${programme.code} are registered through their own route${programme.code === 'henan-tech-loan' ? ' (POST /v1/loans)' : ''}.`);
      }
      const version = versionInForce(versions, input.registeredOn);
      if (!version) {
        throw DomainError.rule(E.NOT_IN_FORCE, `No version of ${code} is in force on ${input.registeredOn}.`, [
          { code: E.NOT_IN_FORCE, field: 'registeredOn', message: versions.map((v) => `${v.id}: ${v.effectiveFrom} – ${v.effectiveTo ?? 'open'}`).join('; ') },
        ]);
      }
      const doc = version.body;
      if (!doc.registersHere) {
        throw DomainError.conflict(E.REGISTERS_ELSEWHERE, `Loans of ${programme.code} (${version.id}) are not registered here: its document says registersHere false.`);
      }
      const product = doc.products.find((p) => p.code === input.product);
      if (!product) {
        throw DomainError.rule(E.PRODUCT_UNKNOWN, `${code} (${version.id}) has no product ${input.product}.`, [
          { code: E.PRODUCT_UNKNOWN, field: 'product', message: `known: ${doc.products.map((p) => p.code).join(', ')}` },
        ]);
      }
      await this.parties.getBank(input.bankCode, m);
      await this.borrowers.getVisibleBorrower(input.borrowerCode, principal);
      // One registration per borrower at a time: the outstanding-loans rule reads this programme's loans.
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`programme-loan:${code}:${input.borrowerCode}`]);
      const duplicate = await m.findOne(ProgrammeLoan, { where: { programmeCode: code, bankCode: input.bankCode, reference: input.reference } });
      if (duplicate) {
        throw DomainError.conflict(E.DUPLICATE_REFERENCE, `Bank ${input.bankCode} already registered ${input.reference} under ${code}.`, [
          { code: E.DUPLICATE_REFERENCE, field: 'reference', message: `existing loan ${duplicate.id}`, loanId: duplicate.id },
        ]);
      }
      const app = await this.applicationFacts(m, code, input, amount, annualRate);
      const checked = checkProgrammeApplication(doc, product, app);
      const problems = [
        ...eventDateProblems(this.clock.today(), [
          { field: 'registeredOn', date: input.registeredOn },
          { field: 'contractDate', date: input.contractDate },
        ]),
        ...checked.problems,
      ];
      if (problems.length > checked.problems.length || checked.refused) {
        throw DomainError.rule(
          problems.length === 1 ? problems[0].code : E.NOT_ELIGIBLE,
          problems.length === 1 ? problems[0].message : `The loan cannot be registered under ${version.id}: ${problems.length} rules are broken or undecided.`,
          problems,
        );
      }
      const saved = await m.save(
        m.create(ProgrammeLoan, {
          programmeCode: code,
          programmeVersionId: version.id,
          product: product.code,
          reference: input.reference,
          bankCode: input.bankCode,
          borrowerCode: input.borrowerCode,
          borrowerType: app.borrower.borrowerType ?? 'enterprise',
          amount,
          annualRate,
          termMonths: input.termMonths,
          contractDate: input.contractDate,
          registeredOn: input.registeredOn,
          facts: checked.facts,
          warnings: checked.warnings,
          breakdown: checked.breakdown.map((s) => ({ ...s, policyVersion: version.id })),
        }),
      );
      this.logger.log(`programme loan ${saved.id} registered: ${code}/${product.code} ${input.bankCode}/${input.reference}, ${checked.warnings.length} warning(s)`);
      return m.findOneOrFail(ProgrammeLoan, { where: { id: saved.id } });
    });
  }

  /** The facts of the application, read inside the registration's transaction. */
  private async applicationFacts(m: EntityManager, code: string, input: RegisterProgrammeLoanInput, amount: Money, annualRate: Rate): Promise<ApplicationFacts> {
    const profile = await this.profiles.profileOf(input.borrowerCode, m);
    const earlier = await m.find(ProgrammeLoan, { where: { programmeCode: code, borrowerCode: input.borrowerCode }, select: { product: true, contractDate: true, termMonths: true } });
    const lpr = rowInForce(this.rates.current().lpr, input.contractDate);
    return {
      product: input.product,
      amount: amount.toString(),
      annualRate: annualRate.toString(),
      termMonths: input.termMonths,
      contractDate: input.contractDate,
      registeredOn: input.registeredOn,
      preferentialMonths: input.preferentialMonths ?? null,
      borrower: { borrowerType: profile.borrowerType, sizeClass: profile.sizeClass, establishedOn: profile.establishedOn, region: profile.region },
      headcounts: profile.headcounts,
      hires: profile.hires,
      declarations: input.declarations ?? {},
      lprForTerm: lpr ? (input.termMonths <= LPR_ONE_YEAR_TERM_MONTHS_MAX ? lpr.oneYear : lpr.fiveYear) : null,
      programmeLoans: earlier.map((l) => ({ product: l.product, contractDate: l.contractDate, termMonths: l.termMonths })),
    };
  }

  /** A programme loan the principal may see (a bank token: its own; others → 404). */
  async view(id: string, principal?: Principal): Promise<ProgrammeLoan> {
    const loan = isUuid(id) ? await this.tx.manager.findOne(ProgrammeLoan, { where: { id } }) : null;
    if (!loan || (principal?.role === 'bank' && principal.partyCode !== loan.bankCode) || principal?.role === 'agency') {
      throw DomainError.notFound(E.LOAN_NOT_FOUND, `No programme loan ${id}.`);
    }
    return loan;
  }

  async list(code: string, filter: { bankCode?: string; borrowerCode?: string }, principal: Principal | undefined, limit = DEFAULT_PAGE_LIMIT, cursor?: string): Promise<Page<ReturnType<typeof programmeLoanOut>>> {
    await this.programmes.programme(code);
    const after = decodeCursor(cursor, isUuid);
    const qb = this.tx.manager.createQueryBuilder(ProgrammeLoan, 'l').where('l.programme_code = :code', { code }).orderBy('l.id', 'ASC').take(limit + 1);
    if (filter.bankCode) qb.andWhere('l.bank_code = :bank', { bank: filter.bankCode });
    if (filter.borrowerCode) qb.andWhere('l.borrower_code = :borrower', { borrower: filter.borrowerCode });
    if (principal?.role === 'bank') qb.andWhere('l.bank_code = :own', { own: principal.partyCode });
    if (principal?.role === 'agency') qb.andWhere('false');
    if (after) qb.andWhere('l.id > :after', { after });
    return toPage(await qb.getMany(), limit, programmeLoanOut, (l) => l.id);
  }

  /**
   * Each programme's own loan count and registered amount (issue 18: a programme's figures never
   * include another's loans). Henan's loans are in `loans` and never here.
   */
  async totalsByProgramme(principal?: Principal): Promise<Map<string, { loans: number; amount: string }>> {
    const qb = this.tx.manager
      .createQueryBuilder(ProgrammeLoan, 'l')
      .select('l.programme_code', 'code')
      .addSelect('count(*)::int', 'loans')
      .addSelect('coalesce(sum(l.amount), 0)::text', 'amount')
      .groupBy('l.programme_code');
    if (principal?.role === 'bank') qb.where('l.bank_code = :own', { own: principal.partyCode });
    if (principal?.role === 'agency') qb.where('false');
    const rows = await qb.getRawMany<{ code: string; loans: number; amount: string }>();
    return new Map(rows.map((r) => [r.code, { loans: Number(r.loans), amount: Money.of(r.amount).toString() }]));
  }
}
