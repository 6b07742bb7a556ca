import { Injectable, Logger } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import type { Principal } from '../common/access/principal';
import { type BreakdownStep, stampVersion } from '../common/breakdown';
import { addWorkingDays } from '../common/calendar/working-days';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError, ErrorDetail } from '../common/errors/domain-error';
import { DEFAULT_PAGE_LIMIT, Page, decodeCursor, toPage } from '../common/http/pagination';
import { isUuid } from '../common/ids';
import { Money } from '../common/money/money';
import { Rate } from '../common/money/rate';
import { fmtMoney, fmtRatio } from '../common/format/figures';
import { BorrowersService } from '../programme/borrowers.service';
import { PartiesService } from '../programme/parties.service';
import { PartyStatusService } from '../programme/party-status.service';
import { ReferenceRatesService } from '../programme/reference-rates.service';
import { assertEventDates, eventDateProblems } from '../common/calendar/event-dates';
import { PolicyService } from '../programme/policy.service';
import { groupKeyOf } from '../programme/domain/group-key';
import type { PolicyVersion } from '../programme/domain/policy-version';
import { chooseRevenueYear, compensationRatio, type RevenueYearChoice } from './domain/compensation-ratio.calculator';
import type { EligibilityInput } from './domain/eligibility.calculator';
import type { LoanSecurity } from './domain/loan-security';
import { checkRegistration, latestGroupEvent, type RegistrationFacts } from './domain/registration-rules';
import { BankReport, BankReportRow } from './bank-report.entity';
import { AgencyFee, Loan } from './loan.entity';
import { LOAN_ERRORS, loanErrors } from './loans.errors';
import { assertBankScope, canReadLoan } from '../common/access/party-scope';

export interface RegisterLoanInput {
  reference: string;
  bankCode: string;
  agencyCode: string;
  borrowerCode: string;
  amount: string;
  annualRate: string;
  termMonths: number;
  contractDate: string;
  registeredOn: string;
  security: LoanSecurity;
  collateralValue: string;
  singleAssetException: boolean;
  isRenewal?: boolean;
  renewalOf?: string;
  riskReviewed?: boolean;
}

export interface LoanOut {
  id: string;
  reference: string;
  bankCode: string;
  agencyCode: string;
  borrowerCode: string;
  amount: string;
  annualRate: string;
  termMonths: number;
  contractDate: string;
  registeredOn: string;
  security: LoanSecurity;
  collateralValue: string;
  singleAssetException: boolean;
  isRenewal: boolean;
  renewalOf: string | null;
  riskReviewed: boolean;
  /** The policy version fixed at registration (API.md); policyVersionId is the same, kept for older clients. */
  policyVersion: string;
  policyVersionId: string;
  compensationRatio: string;
  revenueYearUsed: number;
  revenueUsed: string;
  breakdown: BreakdownStep[];
  disbursement: { disbursedOn: string; amount: string; reportedOn: string; reportDueOn: string; late: boolean } | null;
  confirmationLetterOn: string | null;
  createdAt: string;
}

export function loanOut(l: Loan): LoanOut {
  return {
    id: l.id,
    reference: l.reference,
    bankCode: l.bankCode,
    agencyCode: l.agencyCode,
    borrowerCode: l.borrowerCode,
    amount: l.amount.toString(),
    annualRate: l.annualRate.toString(),
    termMonths: l.termMonths,
    contractDate: l.contractDate,
    registeredOn: l.registeredOn,
    security: l.security,
    collateralValue: l.collateralValue.toString(),
    singleAssetException: l.singleAssetException,
    isRenewal: l.isRenewal,
    renewalOf: l.renewalOf,
    riskReviewed: l.riskReviewed,
    policyVersion: l.policyVersionId,
    policyVersionId: l.policyVersionId,
    compensationRatio: fmtRatio(l.compensationRatio),
    revenueYearUsed: l.revenueYearUsed,
    revenueUsed: l.revenueUsed.toString(),
    breakdown: l.registrationBreakdown,
    disbursement:
      l.disbursedOn && l.disbursedAmount
        ? {
            disbursedOn: l.disbursedOn,
            amount: l.disbursedAmount.toString(),
            reportedOn: l.disbursementReportedOn as string,
            reportDueOn: l.disbursementReportDueOn as string,
            late: Boolean(l.disbursementReportLate),
          }
        : null,
    confirmationLetterOn: l.confirmationLetterOn,
    createdAt: l.createdAt.toISOString(),
  };
}

/**
 * A renewal names the loan it renews (API.md: `renewalOf` alone makes a registration a renewal;
 * the older `isRenewal: true` still needs `renewalOf`), and only a renewal does (400 before any
 * rule is checked). `riskReviewed` belongs to a renewal.
 */
function assertRenewalLink(isRenewal: boolean, renewalOf: string | undefined, riskReviewed: boolean): void {
  if (riskReviewed && !renewalOf) {
    throw DomainError.invalid(LOAN_ERRORS.RENEWAL_OF_REQUIRED, 'riskReviewed applies to a renewal: name the renewed loan in renewalOf.', [
      { code: LOAN_ERRORS.RENEWAL_OF_REQUIRED, field: 'renewalOf', message: 'renewalOf is required with riskReviewed: true' },
    ]);
  }
  if (isRenewal && !renewalOf) {
    throw DomainError.invalid(LOAN_ERRORS.RENEWAL_OF_REQUIRED, 'A renewal (isRenewal: true) names the loan it renews in renewalOf.', [
      { code: LOAN_ERRORS.RENEWAL_OF_REQUIRED, field: 'renewalOf', message: 'renewalOf is required when isRenewal is true' },
    ]);
  }
  if (!isRenewal && renewalOf) {
    throw DomainError.invalid(LOAN_ERRORS.RENEWAL_FLAG_MISSING, 'renewalOf makes the loan a renewal; isRenewal: false contradicts it.', [
      { code: LOAN_ERRORS.RENEWAL_FLAG_MISSING, field: 'isRenewal', message: 'drop isRenewal: false, or drop renewalOf' },
    ]);
  }
}

/**
 * Loan registration (备案), disbursement and the trustee's confirmation letter (issue #5 items
 * 2–3). `findById` and `requireReadable` are what other modules (claims) call.
 */
@Injectable()
export class LoansService {
  private readonly logger = new Logger('LoansService');

  constructor(
    private readonly tx: TransactionScope,
    private readonly parties: PartiesService,
    private readonly borrowers: BorrowersService,
    private readonly statuses: PartyStatusService,
    private readonly policy: PolicyService,
    private readonly rates: ReferenceRatesService,
    private readonly clock: Clock,
  ) {}

  /**
   * Registers a loan. Every broken rule is collected and returned at once in a 422: the tech-loan
   * conditions (RULES §2), a missing revenue year (RULES §3), the bank's and the agency's status on
   * the registration date, the tri-party agreement, the renewal link and the one-agency-per-group
   * rule (A 第七条); the rules are `checkRegistration` (domain/registration-rules.ts), this method
   * gathers their facts. On success the compensation ratio, the revenue year used and the policy
   * version are fixed on the loan with the breakdown.
   */
  async register(input: RegisterLoanInput, principal?: Principal): Promise<Loan> {
    assertBankScope(principal, input.bankCode);
    const amount = Money.parse(input.amount);
    const annualRate = Rate.parse(input.annualRate);
    const collateralValue = Money.parse(input.collateralValue);
    const isRenewal = input.isRenewal ?? Boolean(input.renewalOf);
    assertRenewalLink(isRenewal, input.renewalOf, input.riskReviewed ?? false);
    await this.policy.ensureFresh();

    return this.tx.run(async (m) => {
      const bank = await this.parties.getBank(input.bankCode, m);
      const agency = await this.parties.getAgency(input.agencyCode, m);
      const borrower = await this.borrowers.getBorrower(input.borrowerCode, m);
      const groupKey = groupKeyOf(borrower);
      // Serialises registrations of one enterprise group, so two agencies cannot both win the
      // group-exclusivity check concurrently.
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`loan-group:${groupKey}`]);

      const duplicate = await m.findOne(Loan, { where: { bankCode: bank.code, reference: input.reference } });
      if (duplicate) {
        throw DomainError.conflict(LOAN_ERRORS.DUPLICATE_REFERENCE, `Bank ${bank.code} already registered a loan with reference ${input.reference}.`, [
          { code: LOAN_ERRORS.DUPLICATE_REFERENCE, field: 'reference', message: `existing loan ${duplicate.id}`, loanId: duplicate.id },
        ]);
      }

      const policy = this.policy.versionFor(input.registeredOn);
      const eligibility: EligibilityInput = {
        amount,
        annualRate,
        termMonths: input.termMonths,
        contractDate: input.contractDate,
        security: input.security,
        collateralValue,
        singleAssetException: input.singleAssetException,
        isRenewal,
        borrower: { highTech: borrower.highTech, techSme: borrower.techSme, qualifications: await this.borrowers.qualificationsOf(borrower.code, m) },
      };
      const revenueChoice = chooseRevenueYear({ registeredOn: input.registeredOn, revenues: await this.borrowers.revenuesOf(borrower.code, m) }, policy);
      const facts = await this.registrationFacts(m, { input, bankCode: bank.code, agencyCode: agency.code, borrower, groupKey, eligibility, revenueChoice });
      const checked = checkRegistration(facts, policy);
      // RULES §4 (dates, 2026-12): the registration and the contract have happened.
      const violations = [
        ...eventDateProblems(this.clock.today(), [
          { field: 'registeredOn', date: input.registeredOn },
          { field: 'contractDate', date: input.contractDate },
        ]),
        ...checked.violations,
      ];
      const breakdown = stampVersion(checked.breakdown, policy.id);
      if (violations.length) {
        const code = violations.length === 1 ? violations[0].code : LOAN_ERRORS.NOT_ELIGIBLE;
        throw DomainError.rule(
          code,
          violations.length === 1 ? violations[0].message : `The loan cannot be registered: ${violations.length} rules are broken.`,
          violations,
        );
      }
      if (!revenueChoice.found) throw new Error('unreachable: revenue missing without a violation');
      return this.saveRegistered(m, { input, facts, groupKey, policy, revenue: revenueChoice, breakdown, researchCooperation: borrower.researchCooperation });
    });
  }

  /** Fixes the compensation ratio (RULES §3; B 第九条) and stores the loan with its breakdown. */
  private async saveRegistered(
    m: EntityManager,
    c: {
      input: RegisterLoanInput;
      facts: RegistrationFacts;
      groupKey: string;
      policy: PolicyVersion;
      revenue: { year: number; revenue: Money };
      breakdown: BreakdownStep[];
      researchCooperation: boolean;
    },
  ): Promise<Loan> {
    const { input, facts, policy, revenue, breakdown } = c;
    const ratio = compensationRatio(
      { revenue: revenue.revenue, security: input.security, termMonths: input.termMonths, researchCooperation: c.researchCooperation },
      policy,
    );
    breakdown.push(...stampVersion(ratio.breakdown, policy.id));
    breakdown.push({
      rule: 'RULES §3; B 第九条',
      text: `Compensation ratio fixed at registration under ${policy.id}: ${fmtRatio(ratio.ratio)} (revenue ${revenue.year}: ${fmtMoney(revenue.revenue)})`,
      value: fmtRatio(ratio.ratio),
      policyVersion: policy.id,
    });
    const loan = m.create(Loan, {
      reference: input.reference,
      bankCode: facts.bankCode,
      agencyCode: facts.agencyCode,
      borrowerCode: facts.borrowerCode,
      groupKey: c.groupKey,
      amount: facts.eligibility.amount,
      annualRate: facts.eligibility.annualRate,
      termMonths: input.termMonths,
      contractDate: input.contractDate,
      registeredOn: input.registeredOn,
      security: input.security,
      collateralValue: facts.eligibility.collateralValue,
      singleAssetException: input.singleAssetException,
      isRenewal: facts.eligibility.isRenewal,
      renewalOf: input.renewalOf ?? null,
      riskReviewed: facts.riskReviewed,
      policyVersionId: policy.id,
      compensationRatio: ratio.ratio,
      revenueYearUsed: revenue.year,
      revenueUsed: revenue.revenue,
      registrationBreakdown: breakdown,
    });
    const saved = await m.save(loan);
    this.logger.log(`loan ${saved.id} registered: ${facts.bankCode}/${input.reference} ratio ${fmtRatio(ratio.ratio)}`);
    return m.findOneOrFail(Loan, { where: { id: saved.id } });
  }

  /**
   * The facts the registration rules look at, read inside the registration's transaction: both
   * parties' status on the date, their agreement, the loan a renewal names and the group's facts.
   */
  private async registrationFacts(
    m: EntityManager,
    c: {
      input: RegisterLoanInput;
      bankCode: string;
      agencyCode: string;
      borrower: { code: string; groupCode: string | null };
      groupKey: string;
      eligibility: EligibilityInput;
      revenueChoice: RevenueYearChoice;
    },
  ): Promise<RegistrationFacts> {
    const on = c.input.registeredOn;
    const bankStatus = await this.statuses.statusOn('bank', c.bankCode, on, m);
    const agencyStatus = await this.statuses.statusOn('agency', c.agencyCode, on, m);
    const agreement = await this.parties.agreementBetween(c.bankCode, c.agencyCode, m);
    const renewalOf = c.input.renewalOf ?? null;
    const renewed = c.eligibility.isRenewal && renewalOf ? await m.findOne(Loan, { where: { id: renewalOf } }) : null;
    return {
      bankCode: c.bankCode,
      agencyCode: c.agencyCode,
      borrowerCode: c.borrower.code,
      groupCode: c.borrower.groupCode,
      registeredOn: on,
      renewalOf,
      riskReviewed: c.input.riskReviewed ?? false,
      rates: this.rates.current(),
      eligibility: c.eligibility,
      revenueChoice: c.revenueChoice,
      bankStatus,
      agencyStatus,
      agreement,
      renewalTarget: renewed,
      ...(await this.groupFacts(m, c.groupKey, c.agencyCode, on)),
    };
  }

  /**
   * The facts of the one-agency-per-group rule (A 第七条): the group's latest event on or before
   * the date — a registered loan of any borrower of the group, or an approved change of agency (a
   * change wins a tie; `latestGroupEvent`) — and the latest change to this agency with the group's
   * loans with it since. Changes of agency are the programme's (PartiesService); loans are ours.
   */
  private async groupFacts(
    m: EntityManager,
    groupKey: string,
    agencyCode: string,
    on: string,
  ): Promise<Pick<RegistrationFacts, 'groupLatestEvent' | 'changeToAgency'>> {
    const latestLoan = await m.findOne(Loan, {
      select: { id: true, agencyCode: true, registeredOn: true },
      where: { groupKey },
      order: { registeredOn: 'DESC', createdAt: 'DESC' },
    });
    const latestChange = await this.parties.latestAgencyChangeOfGroup(groupKey, on);
    const change = await this.parties.latestChangeToAgency(groupKey, agencyCode, on);
    let changeToAgency: RegistrationFacts['changeToAgency'] = null;
    if (change) {
      const sum = await m
        .createQueryBuilder(Loan, 'l')
        .select('sum(l.amount)::text', 'total')
        .where('l.group_key = :groupKey AND l.agency_code = :agencyCode AND l.registered_on >= :since', {
          groupKey,
          agencyCode,
          since: change.approvedOn,
        })
        .getRawOne<{ total: string | null }>();
      changeToAgency = {
        approvedOn: change.approvedOn,
        previousCreditLine: change.previousCreditLine,
        loansSinceChange: Money.of(sum?.total ?? '0'),
      };
    }
    return { groupLatestEvent: latestGroupEvent(latestLoan, latestChange), changeToAgency };
  }

  /** A loan by id; 404 LOAN.NOT_FOUND. */
  async findById(id: string, manager?: EntityManager): Promise<Loan> {
    const loan = isUuid(id) ? await (manager ?? this.tx.manager).findOne(Loan, { where: { id } }) : null;
    if (!loan) throw loanErrors.notFound(id);
    return loan;
  }

  /** A loan the principal may see (bank and agency tokens see only their own loans; others → 404). */
  async requireReadable(id: string, principal?: Principal): Promise<Loan> {
    const loan = await this.findById(id);
    if (!canReadLoan(principal, loan)) throw loanErrors.notFound(id);
    return loan;
  }

  /** Each loan's reference and borrower by id, for names people read beside ids (issue 17); unknown ids are absent. */
  async referencesOf(ids: readonly string[]): Promise<Map<string, { reference: string; borrowerCode: string; bankCode: string }>> {
    const unique = [...new Set(ids)].filter(isUuid);
    if (!unique.length) return new Map();
    const rows = await this.tx.manager.find(Loan, { where: { id: In(unique) }, select: { id: true, reference: true, borrowerCode: true, bankCode: true } });
    return new Map(rows.map((l) => [l.id, { reference: l.reference, borrowerCode: l.borrowerCode, bankCode: l.bankCode }]));
  }

  async findByReference(bankCode: string, reference: string): Promise<Loan | null> {
    return this.tx.manager.findOne(Loan, { where: { bankCode, reference } });
  }

  /** The loan as the API shows it, with fees and its latest current bank-report row. */
  async view(id: string, principal?: Principal) {
    const loan = await this.requireReadable(id, principal);
    const fees = await this.tx.manager.find(AgencyFee, { where: { loanId: id }, order: { chargedOn: 'ASC', createdAt: 'ASC' } });
    // The row of the latest current (not superseded) report that lists the loan.
    const latest = await this.tx.manager
      .createQueryBuilder(BankReportRow, 'r')
      .innerJoin(BankReport, 'b', 'b.id = r.report_id')
      .select('b.quarter', 'quarter')
      .addSelect('b.version', 'version')
      .addSelect('r.outstanding_principal', 'outstanding_principal')
      .addSelect('r.repaid', 'repaid')
      .addSelect('r.asset_quality', 'asset_quality')
      .where('r.loan_id = :id AND b.superseded_at IS NULL', { id })
      .orderBy('b.quarter_end', 'DESC')
      .limit(1)
      .getRawOne<{ quarter: string; version: number; outstanding_principal: string; repaid: string; asset_quality: string }>();
    return {
      ...loanOut(loan),
      fees: fees.map(feeOut),
      latestReport: latest
        ? {
            quarter: latest.quarter,
            version: latest.version,
            outstandingPrincipal: Money.of(latest.outstanding_principal).toString(),
            repaid: Money.of(latest.repaid).toString(),
            assetQuality: latest.asset_quality,
          }
        : null,
    };
  }

  async list(
    filter: { bankCode?: string; agencyCode?: string; borrowerCode?: string; reference?: string },
    principal: Principal | undefined,
    limit = DEFAULT_PAGE_LIMIT,
    cursor?: string,
  ): Promise<Page<LoanOut>> {
    const after = decodeCursor(cursor, isUuid);
    const qb = this.tx.manager.createQueryBuilder(Loan, 'l').orderBy('l.id', 'ASC').take(limit + 1);
    if (filter.bankCode) qb.andWhere('l.bank_code = :bank', { bank: filter.bankCode });
    if (filter.agencyCode) qb.andWhere('l.agency_code = :agency', { agency: filter.agencyCode });
    if (filter.borrowerCode) qb.andWhere('l.borrower_code = :borrower', { borrower: filter.borrowerCode });
    if (filter.reference) qb.andWhere('l.reference = :reference', { reference: filter.reference });
    if (principal?.role === 'bank') qb.andWhere('l.bank_code = :own', { own: principal.partyCode });
    if (principal?.role === 'agency') qb.andWhere('l.agency_code = :own', { own: principal.partyCode });
    if (after) qb.andWhere('l.id > :after', { after });
    return toPage(await qb.getMany(), limit, loanOut, (l) => l.id);
  }

  /**
   * Records the disbursement (date and amount ≤ registered amount) and flags a report received
   * more than `disbursementReportWorkingDays` (5) PRC working days after it (B 第十条). The report
   * date is the day the service receives it (the injected clock, China time).
   */
  async disburse(id: string, input: { disbursedOn: string; amount: string }, principal?: Principal): Promise<Loan> {
    const amount = Money.parse(input.amount);
    return this.tx.run(async (m) => {
      const found = await this.findById(id, m);
      if (!canReadLoan(principal, found)) throw loanErrors.notFound(id);
      assertBankScope(principal, found.bankCode);
      const loan = await m.findOneOrFail(Loan, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (loan.disbursedOn) {
        throw DomainError.conflict(LOAN_ERRORS.ALREADY_DISBURSED, `Loan ${loan.reference} was already disbursed on ${loan.disbursedOn}.`);
      }
      const today = this.clock.today();
      const violations: ErrorDetail[] = [];
      if (!amount.isPositive()) {
        violations.push({ code: LOAN_ERRORS.DISBURSEMENT_NOT_POSITIVE, field: 'amount', message: 'The disbursed amount must be greater than 0.00' });
      }
      if (amount.gt(loan.amount)) {
        violations.push({
          code: LOAN_ERRORS.DISBURSEMENT_ABOVE_REGISTERED,
          field: 'amount',
          message: `Disbursed ${fmtMoney(amount)} is above the registered ${fmtMoney(loan.amount)}`,
          registeredAmount: loan.amount.toString(),
        });
      }
      if (input.disbursedOn < loan.registeredOn) {
        violations.push({
          code: LOAN_ERRORS.DISBURSED_BEFORE_REGISTRATION,
          field: 'disbursedOn',
          message: `Registration (${loan.registeredOn}) comes before disbursement (${input.disbursedOn}) [S 三(三)]`,
          disbursedOn: input.disbursedOn,
          registeredOn: loan.registeredOn,
        });
      }
      if (input.disbursedOn > today) {
        violations.push({ code: LOAN_ERRORS.DISBURSEMENT_IN_FUTURE, field: 'disbursedOn', message: `disbursedOn ${input.disbursedOn} is after today (${today})`, date: input.disbursedOn, today });
      }
      if (violations.length) {
        throw DomainError.rule(violations.length === 1 ? violations[0].code : LOAN_ERRORS.DISBURSEMENT_REFUSED, violations[0].message, violations);
      }
      const policy = this.policy.byId(loan.policyVersionId);
      const dueOn = addWorkingDays(input.disbursedOn, policy.disbursementReportWorkingDays);
      await m.update(
        Loan,
        { id },
        {
          disbursedOn: input.disbursedOn,
          disbursedAmount: amount,
          disbursementReportedOn: today,
          disbursementReportDueOn: dueOn,
          disbursementReportLate: today > dueOn,
        },
      );
      return m.findOneOrFail(Loan, { where: { id } });
    });
  }

  /** The trustee's confirmation letter (确认函) for a loan; agency fees only after it (RULES §7). */
  async issueConfirmationLetter(id: string, issuedOn: string): Promise<Loan> {
    return this.tx.run(async (m) => {
      await this.findById(id, m);
      const loan = await m.findOneOrFail(Loan, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (loan.confirmationLetterOn) {
        throw DomainError.conflict(LOAN_ERRORS.CONFIRMATION_ALREADY_ISSUED, `The confirmation letter was issued on ${loan.confirmationLetterOn}.`);
      }
      if (issuedOn < loan.registeredOn) {
        throw DomainError.rule(LOAN_ERRORS.CONFIRMATION_BEFORE_REGISTRATION, `A confirmation letter cannot predate the registration (${loan.registeredOn}).`, [
          { code: LOAN_ERRORS.CONFIRMATION_BEFORE_REGISTRATION, field: 'issuedOn', message: `${issuedOn} < ${loan.registeredOn}`, issuedOn, registeredOn: loan.registeredOn },
        ]);
      }
      assertEventDates(this.clock.today(), [{ field: 'issuedOn', date: issuedOn }]);
      await m.update(Loan, { id }, { confirmationLetterOn: issuedOn });
      return m.findOneOrFail(Loan, { where: { id } });
    });
  }
}

export function feeOut(f: AgencyFee) {
  return {
    id: f.id,
    loanId: f.loanId,
    agencyCode: f.agencyCode,
    amount: f.amount.toString(),
    chargedOn: f.chargedOn,
    periodMonths: f.periodMonths,
    createdAt: f.createdAt.toISOString(),
  };
}
