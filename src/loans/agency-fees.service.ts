import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/access/principal';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError, ErrorDetail } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import { PolicyService } from '../programme/policy.service';
import { checkAgencyFee } from './domain/agency-fee.calculator';
import { AgencyFee, Loan } from './loan.entity';
import { AGENCY_FEE_RULE_ERRORS, FEE_ERRORS, loanErrors } from './loans.errors';
import { LoansService, feeOut } from './loans.service';
import { assertAgencyScope, canReadLoan } from '../common/access/party-scope';

const MONTHS_PER_YEAR = 12;

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
      const termMonths = Math.max(MONTHS_PER_YEAR, loan.termMonths);
      const periodMonths = input.periodMonths ?? MONTHS_PER_YEAR;
      if (periodMonths > termMonths) {
        throw DomainError.invalid(FEE_ERRORS.PERIOD_TOO_LONG, `periodMonths ${periodMonths} is longer than the loan's term (${termMonths} months).`, [
          { code: FEE_ERRORS.PERIOD_TOO_LONG, field: 'periodMonths', message: `at most ${termMonths}` },
        ]);
      }
      const policy = this.policy.byId(loan.policyVersionId);
      const single = checkAgencyFee(
        { loanAmount: loan.amount, fee, periodMonths, chargedOn: input.chargedOn, confirmationLetterOn: loan.confirmationLetterOn },
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
        { loanAmount: loan.amount, fee: charged.plus(fee), periodMonths: termMonths, chargedOn: input.chargedOn, confirmationLetterOn: input.chargedOn },
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
      return { ...feeOut(row), cap: single.cap.toString(), breakdown: single.breakdown };
    });
  }

  async list(loanId: string, principal?: Principal) {
    await this.loans.requireReadable(loanId, principal);
    const rows = await this.tx.manager.find(AgencyFee, { where: { loanId }, order: { chargedOn: 'ASC', createdAt: 'ASC' } });
    return rows.map(feeOut);
  }
}
