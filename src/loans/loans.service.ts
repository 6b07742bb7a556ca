import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../common/access/principal';
import type { BreakdownStep } from '../common/breakdown';
import { addMonths } from '../common/calendar/iso-date';
import { addWorkingDays } from '../common/calendar/working-days';
import { Clock } from '../common/clock/clock';
import { DomainError, ErrorDetail } from '../common/errors/domain-error';
import { DEFAULT_PAGE_LIMIT, Page, decodeCursor, toPage } from '../common/http/pagination';
import { Money } from '../common/money/money';
import { Rate } from '../common/money/rate';
import { fmtMoney, fmtRatio } from '../programme/domain/figures';
import { PartiesService } from '../programme/parties.service';
import { PolicyService } from '../programme/policy.service';
import { groupKeyOf } from '../programme/programme.entities';
import { chooseRevenueYear, compensationRatio } from './domain/compensation-ratio.calculator';
import { checkEligibility } from './domain/eligibility.calculator';
import type { LoanSecurity } from './domain/loan-security';
import { AgencyFee, Loan } from './loan.entity';
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

const RULE_PARTIES = 'RULES §2; S 二(二)3, A 第五条';
const RULE_GROUP = 'RULES §2; A 第七条';

const isCursor = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f-]{36}$/.test(v);

/**
 * Loan registration (备案), disbursement and the trustee's confirmation letter (issue #5 items
 * 2–3). `findById` and `requireReadable` are what other modules (claims) call.
 */
@Injectable()
export class LoansService {
  private readonly logger = new Logger('LoansService');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly parties: PartiesService,
    private readonly policy: PolicyService,
    private readonly clock: Clock,
  ) {}

  /**
   * Registers a loan. Every broken rule is collected and returned at once in a 422: the tech-loan
   * conditions (RULES §2), a missing revenue year (RULES §3), the bank's and the agency's status on
   * the registration date, the tri-party agreement, the renewal link and the one-agency-per-group
   * rule (A 第七条). On success the compensation ratio, the revenue year used and the policy
   * version are fixed on the loan with the breakdown.
   */
  async register(input: RegisterLoanInput, principal?: Principal): Promise<Loan> {
    assertBankScope(principal, input.bankCode);
    const amount = Money.parse(input.amount);
    const annualRate = Rate.parse(input.annualRate);
    const collateralValue = Money.parse(input.collateralValue);
    const isRenewal = input.isRenewal ?? false;
    if (isRenewal && !input.renewalOf) {
      throw DomainError.invalid('LOAN.RENEWAL_OF_REQUIRED', 'A renewal (isRenewal: true) names the loan it renews in renewalOf.', [
        { code: 'LOAN.RENEWAL_OF_REQUIRED', field: 'renewalOf', message: 'renewalOf is required when isRenewal is true' },
      ]);
    }
    if (!isRenewal && input.renewalOf) {
      throw DomainError.invalid('LOAN.RENEWAL_FLAG_MISSING', 'renewalOf is only accepted with isRenewal: true.', [
        { code: 'LOAN.RENEWAL_FLAG_MISSING', field: 'isRenewal', message: 'set isRenewal: true or drop renewalOf' },
      ]);
    }

    return this.dataSource.transaction(async (m) => {
      const bank = await this.parties.getBank(input.bankCode, m);
      const agency = await this.parties.getAgency(input.agencyCode, m);
      const borrower = await this.parties.getBorrower(input.borrowerCode, m);
      const groupKey = groupKeyOf(borrower);
      // Serialises registrations of one enterprise group, so two agencies cannot both win the
      // group-exclusivity check concurrently.
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`loan-group:${groupKey}`]);

      const duplicate = await m.findOne(Loan, { where: { bankCode: bank.code, reference: input.reference } });
      if (duplicate) {
        throw DomainError.conflict('LOAN.DUPLICATE_REFERENCE', `Bank ${bank.code} already registered a loan with reference ${input.reference}.`, [
          { code: 'LOAN.DUPLICATE_REFERENCE', field: 'reference', message: `existing loan ${duplicate.id}`, loanId: duplicate.id },
        ]);
      }

      const policy = this.policy.versionFor(input.registeredOn);
      const violations: ErrorDetail[] = [];
      const breakdown: BreakdownStep[] = [{ rule: 'RULES §3', text: `Policy version ${policy.id} in force on ${input.registeredOn}`, value: policy.id }];

      const eligibility = checkEligibility(
        {
          amount,
          annualRate,
          termMonths: input.termMonths,
          contractDate: input.contractDate,
          security: input.security,
          collateralValue,
          singleAssetException: input.singleAssetException,
          isRenewal,
          borrower: { highTech: borrower.highTech, techSme: borrower.techSme },
        },
        policy,
      );
      violations.push(...eligibility.violations);
      breakdown.push(...eligibility.breakdown);

      const revenues = await this.parties.revenuesOf(borrower.code, m);
      const choice = chooseRevenueYear({ registeredOn: input.registeredOn, revenues }, policy);
      breakdown.push(...choice.breakdown);
      if (!choice.found) violations.push(choice.violation);

      // Bank and agency status on the registration date (RULES §2, §6). Decision: a bank in
      // suspended_new may still register renewals (RULES §6 "renewals after risk review").
      const bankStatus = await this.parties.statusOn('bank', bank.code, input.registeredOn, m);
      const bankRenewalAllowed = bankStatus.status === 'suspended_new' && isRenewal;
      if (bankStatus.status !== 'active' && !bankRenewalAllowed) {
        violations.push({
          code: 'LOAN.BANK_NOT_ACTIVE',
          field: 'bankCode',
          message: `Bank ${bank.code} is ${bankStatus.status} since ${bankStatus.since}${bankStatus.reason ? ` (${bankStatus.reason})` : ''}: no new loans`,
          status: bankStatus.status,
          since: bankStatus.since,
        });
      }
      breakdown.push({
        rule: RULE_PARTIES,
        text: `Bank ${bank.code} status on ${input.registeredOn}: ${bankStatus.status}${bankRenewalAllowed ? ' (renewal allowed)' : ''}`,
        value: bankStatus.status,
      });
      const agencyStatus = await this.parties.statusOn('agency', agency.code, input.registeredOn, m);
      if (agencyStatus.status !== 'active') {
        violations.push({
          code: 'LOAN.AGENCY_NOT_ACTIVE',
          field: 'agencyCode',
          message: `Agency ${agency.code} is ${agencyStatus.status} since ${agencyStatus.since}${agencyStatus.reason ? ` (${agencyStatus.reason})` : ''}: no new loans`,
          status: agencyStatus.status,
          since: agencyStatus.since,
        });
      }
      breakdown.push({ rule: RULE_PARTIES, text: `Agency ${agency.code} status on ${input.registeredOn}: ${agencyStatus.status}`, value: agencyStatus.status });

      const agreement = await this.parties.agreementBetween(bank.code, agency.code, m);
      if (!agreement || agreement.signedOn > input.registeredOn) {
        violations.push({
          code: 'LOAN.NO_AGREEMENT',
          message: agreement
            ? `The tri-party agreement of bank ${bank.code} and agency ${agency.code} was signed on ${agreement.signedOn}, after ${input.registeredOn}`
            : `Bank ${bank.code} and agency ${agency.code} have no tri-party agreement`,
          bankCode: bank.code,
          agencyCode: agency.code,
        });
      } else {
        breakdown.push({ rule: RULE_PARTIES, text: `Tri-party agreement ${bank.code} × ${agency.code} signed ${agreement.signedOn}` });
      }

      if (isRenewal && input.renewalOf) {
        const previous = await m.findOne(Loan, { where: { id: input.renewalOf } });
        if (!previous || previous.borrowerCode !== borrower.code || previous.bankCode !== bank.code) {
          violations.push({
            code: 'LOAN.RENEWAL_OF_INVALID',
            field: 'renewalOf',
            message: `renewalOf ${input.renewalOf} is not a registered loan of borrower ${borrower.code} with bank ${bank.code}`,
          });
        } else {
          breakdown.push({ rule: 'RULES §2 Decision; B 第七条', text: `Renewal (续贷) of loan ${previous.reference} registered ${previous.registeredOn}` });
        }
      }

      const group = await this.checkGroup(m, { groupKey, groupCode: borrower.groupCode, agencyCode: agency.code, registeredOn: input.registeredOn, amount });
      violations.push(...group.violations);
      breakdown.push(...group.breakdown);

      if (violations.length) {
        const code = violations.length === 1 ? violations[0].code : 'LOAN.NOT_ELIGIBLE';
        throw DomainError.rule(
          code,
          violations.length === 1 ? violations[0].message : `The loan cannot be registered: ${violations.length} rules are broken.`,
          violations,
        );
      }
      if (!choice.found) throw new Error('unreachable: revenue missing without a violation');

      const ratio = compensationRatio({ revenue: choice.revenue, security: input.security, termMonths: input.termMonths }, policy);
      breakdown.push(...ratio.breakdown);
      breakdown.push({
        rule: 'RULES §3; B 第九条',
        text: `Compensation ratio fixed at registration: ${fmtRatio(ratio.ratio)} (revenue ${choice.year}: ${fmtMoney(choice.revenue)})`,
        value: fmtRatio(ratio.ratio),
      });

      const loan = m.create(Loan, {
        reference: input.reference,
        bankCode: bank.code,
        agencyCode: agency.code,
        borrowerCode: borrower.code,
        groupKey,
        amount,
        annualRate,
        termMonths: input.termMonths,
        contractDate: input.contractDate,
        registeredOn: input.registeredOn,
        security: input.security,
        collateralValue,
        singleAssetException: input.singleAssetException,
        isRenewal,
        renewalOf: input.renewalOf ?? null,
        policyVersionId: policy.id,
        compensationRatio: ratio.ratio,
        revenueYearUsed: choice.year,
        revenueUsed: choice.revenue,
        registrationBreakdown: breakdown,
      });
      const saved = await m.save(loan);
      this.logger.log(`loan ${saved.id} registered: ${bank.code}/${input.reference} ratio ${fmtRatio(ratio.ratio)}`);
      return m.findOneOrFail(Loan, { where: { id: saved.id } });
    });
  }

  /**
   * One agency per enterprise group (RULES §2; A 第七条). The agency serving a group is the one of
   * its latest event: a registered loan of any borrower of the group, or an approved change of
   * agency (approved on or before the registration date; a change wins a tie). A different agency
   * is refused. Within one year of a change to this agency, the group's loans registered with it
   * since the change, this one included, may not exceed the previous credit line.
   */
  private async checkGroup(
    m: EntityManager,
    input: { groupKey: string; groupCode: string | null; agencyCode: string; registeredOn: string; amount: Money },
  ): Promise<{ violations: ErrorDetail[]; breakdown: BreakdownStep[] }> {
    const events: { agency_code: string; on_date: string; kind: 'loan' | 'change'; id: string; previous_credit_line: string | null }[] = await m.query(
      `SELECT agency_code, on_date, kind, id, previous_credit_line FROM (
         SELECT agency_code, registered_on AS on_date, 'loan' AS kind, id::text AS id, NULL::text AS previous_credit_line, 0 AS prio, created_at
           FROM loans WHERE group_key = $1
         UNION ALL
         SELECT to_agency_code, approved_on, 'change', id::text, previous_credit_line::text, 1, created_at
           FROM agency_changes WHERE group_key = $1 AND approved_on <= $2
       ) e ORDER BY on_date DESC, prio DESC, created_at DESC LIMIT 1`,
      [input.groupKey, input.registeredOn],
    );
    const who = input.groupCode ? `Group ${input.groupCode}` : 'The borrower';
    if (!events.length) {
      return { violations: [], breakdown: [{ rule: RULE_GROUP, text: `${who} has no agency yet: ${input.agencyCode} may serve it` }] };
    }
    const serving = events[0].agency_code;
    if (serving !== input.agencyCode) {
      return {
        violations: [
          {
            code: 'LOAN.GROUP_SERVED_BY_OTHER_AGENCY',
            field: 'agencyCode',
            message: `${who} is served by agency ${serving}; agency ${input.agencyCode} needs an approved change of agency first`,
            servedBy: serving,
            groupCode: input.groupCode,
          },
        ],
        breakdown: [{ rule: RULE_GROUP, text: `${who} is served by ${serving}, not ${input.agencyCode}` }],
      };
    }
    const breakdown: BreakdownStep[] = [{ rule: RULE_GROUP, text: `${who} is served by ${serving}` }];
    const changes: { approved_on: string; previous_credit_line: string }[] = await m.query(
      `SELECT approved_on, previous_credit_line::text AS previous_credit_line FROM agency_changes
        WHERE group_key = $1 AND to_agency_code = $2 AND approved_on <= $3
        ORDER BY approved_on DESC, created_at DESC LIMIT 1`,
      [input.groupKey, input.agencyCode, input.registeredOn],
    );
    if (changes.length && input.registeredOn < addMonths(changes[0].approved_on, 12)) {
      const change = changes[0];
      const previousLine = Money.of(change.previous_credit_line);
      const sums: { total: string | null }[] = await m.query(
        `SELECT sum(amount)::text AS total FROM loans WHERE group_key = $1 AND agency_code = $2 AND registered_on >= $3`,
        [input.groupKey, input.agencyCode, change.approved_on],
      );
      const newLine = Money.of(sums[0].total ?? '0').plus(input.amount);
      const text = `Within one year of the change approved ${change.approved_on}: new credit line ${fmtMoney(newLine)} ${newLine.lte(previousLine) ? '≤' : '>'} previous ${fmtMoney(previousLine)}`;
      breakdown.push({ rule: RULE_GROUP, text, value: newLine.toString() });
      if (newLine.gt(previousLine)) {
        return {
          violations: [
            {
              code: 'LOAN.CREDIT_LINE_ABOVE_PREVIOUS',
              field: 'amount',
              message: `${text}: the new credit line may not exceed the old one for a year after a change of agency`,
              newCreditLine: newLine.toString(),
              previousCreditLine: previousLine.toString(),
              changeApprovedOn: change.approved_on,
            },
          ],
          breakdown,
        };
      }
    }
    return { violations: [], breakdown };
  }

  /** A loan by id; 404 LOAN.NOT_FOUND. */
  async findById(id: string, manager?: EntityManager): Promise<Loan> {
    const loan = /^[0-9a-f-]{36}$/i.test(id) ? await (manager ?? this.dataSource.manager).findOne(Loan, { where: { id } }) : null;
    if (!loan) throw DomainError.notFound('LOAN.NOT_FOUND', `No loan with id ${id}.`);
    return loan;
  }

  /** A loan the principal may see (bank and agency tokens see only their own loans; others → 404). */
  async requireReadable(id: string, principal?: Principal): Promise<Loan> {
    const loan = await this.findById(id);
    if (!canReadLoan(principal, loan)) throw DomainError.notFound('LOAN.NOT_FOUND', `No loan with id ${id}.`);
    return loan;
  }

  async findByReference(bankCode: string, reference: string): Promise<Loan | null> {
    return this.dataSource.manager.findOne(Loan, { where: { bankCode, reference } });
  }

  /** The loan as the API shows it, with fees and its latest current bank-report row. */
  async view(id: string, principal?: Principal) {
    const loan = await this.requireReadable(id, principal);
    const fees = await this.dataSource.manager.find(AgencyFee, { where: { loanId: id }, order: { chargedOn: 'ASC', createdAt: 'ASC' } });
    const latest: { quarter: string; version: number; outstanding_principal: string; repaid: string; asset_quality: string }[] =
      await this.dataSource.query(
        `SELECT b.quarter, b.version, r.outstanding_principal::text AS outstanding_principal, r.repaid::text AS repaid, r.asset_quality
           FROM bank_report_rows r JOIN bank_reports b ON b.id = r.report_id
          WHERE r.loan_id = $1 AND b.superseded_at IS NULL
          ORDER BY b.quarter_end DESC LIMIT 1`,
        [id],
      );
    return {
      ...loanOut(loan),
      fees: fees.map(feeOut),
      latestReport: latest.length
        ? {
            quarter: latest[0].quarter,
            version: latest[0].version,
            outstandingPrincipal: Money.of(latest[0].outstanding_principal).toString(),
            repaid: Money.of(latest[0].repaid).toString(),
            assetQuality: latest[0].asset_quality,
          }
        : null,
    };
  }

  async list(
    filter: { bankCode?: string; agencyCode?: string; borrowerCode?: string },
    principal: Principal | undefined,
    limit = DEFAULT_PAGE_LIMIT,
    cursor?: string,
  ): Promise<Page<LoanOut>> {
    const after = decodeCursor(cursor, isCursor);
    const qb = this.dataSource.manager.createQueryBuilder(Loan, 'l').orderBy('l.id', 'ASC').take(limit + 1);
    if (filter.bankCode) qb.andWhere('l.bank_code = :bank', { bank: filter.bankCode });
    if (filter.agencyCode) qb.andWhere('l.agency_code = :agency', { agency: filter.agencyCode });
    if (filter.borrowerCode) qb.andWhere('l.borrower_code = :borrower', { borrower: filter.borrowerCode });
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
    return this.dataSource.transaction(async (m) => {
      const found = await this.findById(id, m);
      if (!canReadLoan(principal, found)) throw DomainError.notFound('LOAN.NOT_FOUND', `No loan with id ${id}.`);
      assertBankScope(principal, found.bankCode);
      const loan = await m.findOneOrFail(Loan, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (loan.disbursedOn) {
        throw DomainError.conflict('LOAN.ALREADY_DISBURSED', `Loan ${loan.reference} was already disbursed on ${loan.disbursedOn}.`);
      }
      const today = this.clock.today();
      const violations: ErrorDetail[] = [];
      if (!amount.isPositive()) {
        violations.push({ code: 'LOAN.DISBURSEMENT_NOT_POSITIVE', field: 'amount', message: 'The disbursed amount must be greater than 0.00' });
      }
      if (amount.gt(loan.amount)) {
        violations.push({
          code: 'LOAN.DISBURSEMENT_ABOVE_REGISTERED',
          field: 'amount',
          message: `Disbursed ${fmtMoney(amount)} is above the registered ${fmtMoney(loan.amount)}`,
          registeredAmount: loan.amount.toString(),
        });
      }
      if (input.disbursedOn < loan.registeredOn) {
        violations.push({
          code: 'LOAN.DISBURSED_BEFORE_REGISTRATION',
          field: 'disbursedOn',
          message: `Registration (${loan.registeredOn}) comes before disbursement (${input.disbursedOn}) [S 三(三)]`,
        });
      }
      if (input.disbursedOn > today) {
        violations.push({ code: 'LOAN.DISBURSEMENT_IN_FUTURE', field: 'disbursedOn', message: `${input.disbursedOn} is after today (${today})` });
      }
      if (violations.length) {
        throw DomainError.rule(violations.length === 1 ? violations[0].code : 'LOAN.DISBURSEMENT_REFUSED', violations[0].message, violations);
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
    return this.dataSource.transaction(async (m) => {
      await this.findById(id, m);
      const loan = await m.findOneOrFail(Loan, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (loan.confirmationLetterOn) {
        throw DomainError.conflict('LOAN.CONFIRMATION_ALREADY_ISSUED', `The confirmation letter was issued on ${loan.confirmationLetterOn}.`);
      }
      if (issuedOn < loan.registeredOn) {
        throw DomainError.rule('LOAN.CONFIRMATION_BEFORE_REGISTRATION', `A confirmation letter cannot predate the registration (${loan.registeredOn}).`, [
          { code: 'LOAN.CONFIRMATION_BEFORE_REGISTRATION', field: 'issuedOn', message: `${issuedOn} < ${loan.registeredOn}` },
        ]);
      }
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
