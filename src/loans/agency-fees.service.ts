import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/access/principal';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError, ErrorDetail } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import { PolicyService } from '../programme/policy.service';
import type { AgencyFeeBase } from '../programme/domain/policy-version';
import { type BreakdownStep, stampVersion } from '../common/breakdown';
import { eventDateProblems } from '../common/calendar/event-dates';
import { Clock } from '../common/clock/clock';
import { fmtMoney } from '../common/format/figures';
import { checkAgencyFee } from './domain/agency-fee.calculator';
import { AgencyFee, Loan } from './loan.entity';
import { AGENCY_FEE_RULE_ERRORS, FEE_ERRORS, loanErrors } from './loans.errors';
import { LoansService, feeOut } from './loans.service';
import { assertAgencyScope, canReadLoan } from '../common/access/party-scope';

const MONTHS_PER_YEAR = 12;

/**
 * The amount the fee cap is a share of (RULES §7, revised 2026-12; policy `agencyFeeBase`): the
 * amount actually disbursed — nothing may be charged before the disbursement, nor dated before
 * it — or, for a version that says so, the registered amount. The fee's date has happened.
 * Example: registered 3,000,000.00, disbursed 1,000,000.00 → base 1,000,000.00, a year's cap
 * 10,000.00; before the disbursement → FEE.BEFORE_DISBURSEMENT.
 */
function feeBase(loan: Loan, basis: AgencyFeeBase, chargedOn: string, today: string): { amount: Money; step: BreakdownStep } {
  const problems: ErrorDetail[] = eventDateProblems(today, [{ field: 'chargedOn', date: chargedOn }]);
  if (basis === 'disbursed_amount' && (!loan.disbursedOn || !loan.disbursedAmount)) {
    problems.push({ code: FEE_ERRORS.BEFORE_DISBURSEMENT, field: 'chargedOn', message: `Loan ${loan.reference} is not disbursed yet: no fee before the disbursement (RULES §7)` });
  } else if (basis === 'disbursed_amount' && chargedOn < (loan.disbursedOn as string)) {
    problems.push({
      code: FEE_ERRORS.BEFORE_DISBURSEMENT,
      field: 'chargedOn',
      message: `chargedOn ${chargedOn} is before the disbursement on ${loan.disbursedOn}: no fee before the disbursement (RULES §7)`,
      chargedOn,
      disbursedOn: loan.disbursedOn,
    });
  }
  if (problems.length) throw DomainError.rule(problems.length === 1 ? problems[0].code : FEE_ERRORS.REFUSED, problems.map((p) => p.message).join('; '), problems);
  const amount = basis === 'disbursed_amount' ? (loan.disbursedAmount as Money) : loan.amount;
  const text =
    basis === 'disbursed_amount'
      ? `Fee base = the amount disbursed on ${loan.disbursedOn}: ${fmtMoney(amount)} (registered ${fmtMoney(loan.amount)})`
      : `Fee base = the registered amount: ${fmtMoney(amount)}`;
  return { amount, step: { rule: 'RULES §7 Decision (2026-12); A 第六条', text, value: amount.toString() } };
}

/** The API codes of a refused fee (issue #5 item 5), from the calculator's codes. */
const FEE_CODES: Record<string, string> = {
  [AGENCY_FEE_RULE_ERRORS.ABOVE_CAP]: FEE_ERRORS.ABOVE_CAP,
  [AGENCY_FEE_RULE_ERRORS.BEFORE_CONFIRMATION]: FEE_ERRORS.BEFORE_CONFIRMATION,
};

/**
 * Agency service fees per loan (RULES §7; A 第六条(一)). Each fee is checked by the agency-fee
 * calculator: at most 1% a year of the loan amount for the months it pays for, and only on or
 * after the trustee's confirmation letter. Decision: the fees of one loan together may not exceed
 * the cap for the loan's whole term (at least 12 months), so splitting a year into several fees
 * cannot beat the cap.
 */
@Injectable()
export class AgencyFeesService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly loans: LoansService,
    private readonly policy: PolicyService,
    private readonly clock: Clock,
  ) {}

  async charge(loanId: string, input: { amount: string; chargedOn: string; periodMonths?: number }, principal?: Principal) {
    const fee = Money.parse(input.amount);
    if (!fee.isPositive()) {
      throw DomainError.invalid(FEE_ERRORS.NOT_POSITIVE, 'A fee must be greater than 0.00.', [
        { code: FEE_ERRORS.NOT_POSITIVE, field: 'amount', message: 'must be greater than 0.00' },
      ]);
    }
    return this.tx.run(async (m) => {
      const found = await this.loans.findById(loanId, m);
      if (!canReadLoan(principal, found)) throw loanErrors.notFound(loanId);
      assertAgencyScope(principal, found.agencyCode);
      const loan = await m.findOneOrFail(Loan, { where: { id: loanId }, lock: { mode: 'pessimistic_write' } });
      const policy = this.policy.byId(loan.policyVersionId);
      const base = feeBase(loan, policy.agencyFeeBase, input.chargedOn, this.clock.today());
      const termMonths = Math.max(MONTHS_PER_YEAR, loan.termMonths);
      const periodMonths = input.periodMonths ?? MONTHS_PER_YEAR;
      if (periodMonths > termMonths) {
        throw DomainError.invalid(FEE_ERRORS.PERIOD_TOO_LONG, `periodMonths ${periodMonths} is longer than the loan's term (${termMonths} months).`, [
          { code: FEE_ERRORS.PERIOD_TOO_LONG, field: 'periodMonths', message: `at most ${termMonths}` },
        ]);
      }
      const single = checkAgencyFee(
        { loanAmount: base.amount, fee, periodMonths, chargedOn: input.chargedOn, confirmationLetterOn: loan.confirmationLetterOn },
        policy,
      );
      const violations: ErrorDetail[] = single.violations.map((v) => ({ ...v, code: FEE_CODES[v.code] ?? v.code }));

      const sum = await m
        .createQueryBuilder(AgencyFee, 'f')
        .select('sum(f.amount)::text', 'total')
        .where('f.loan_id = :loanId', { loanId })
        .getRawOne<{ total: string | null }>();
      const charged = Money.of(sum?.total ?? '0');
      const lifetime = checkAgencyFee(
        { loanAmount: base.amount, fee: charged.plus(fee), periodMonths: termMonths, chargedOn: input.chargedOn, confirmationLetterOn: input.chargedOn },
        policy,
      );
      if (!lifetime.allowed && !violations.some((v) => v.code === FEE_ERRORS.ABOVE_CAP)) {
        violations.push({
          code: FEE_ERRORS.ABOVE_CAP,
          field: 'amount',
          message: `Fees on this loan would total ${charged.plus(fee).toString()}, above the cap ${lifetime.cap.toString()} for its ${termMonths}-month term.`,
          cap: lifetime.cap.toString(),
          alreadyCharged: charged.toString(),
          scope: 'term',
        });
      }
      if (violations.length) {
        throw DomainError.rule(violations.length === 1 ? violations[0].code : FEE_ERRORS.REFUSED, violations.length === 1 ? violations[0].message : 'The agency fee is refused.', violations);
      }
      const saved = await m.save(
        m.create(AgencyFee, { loanId, agencyCode: loan.agencyCode, amount: fee, chargedOn: input.chargedOn, periodMonths }),
      );
      const row = await m.findOneOrFail(AgencyFee, { where: { id: saved.id } });
      return { ...feeOut(row), cap: single.cap.toString(), feeBase: base.amount.toString(), breakdown: stampVersion([base.step, ...single.breakdown], policy.id) };
    });
  }

  async list(loanId: string, principal?: Principal) {
    await this.loans.requireReadable(loanId, principal);
    const rows = await this.tx.manager.find(AgencyFee, { where: { loanId }, order: { chargedOn: 'ASC', createdAt: 'ASC' } });
    return rows.map(feeOut);
  }
}
