import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../common/access/principal';
import { DomainError } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import { Rate } from '../common/money/rate';
import { type LoanFlow, ProgrammesService } from '../programme/programmes.service';
import { PLEDGE_FLOW, type PledgeFlowParameters, SUBSIDY_FLOW, type SubsidyFlowParameters, pledgeFlowParameters, subsidyFlowParameters } from './domain/flow-parameters';

/** A programme loan as the flows use it (from `ProgrammesService.flowOf`, docs/programmes.md). */
export interface FlowLoan {
  id: string;
  programme: string;
  programmeVersionId: string;
  product: string;
  reference: string;
  bankCode: string;
  borrowerCode: string;
  amount: Money;
  annualRate: Rate;
  termMonths: number;
  contractDate: string;
}

export interface LoanFlowOf<P> {
  loan: FlowLoan;
  parameters: P;
  /** The seed file and article the flow comes from. */
  source: string;
}

const LOAN_NOT_FOUND = 'PROGRAMME.LOAN_NOT_FOUND';

/**
 * The programme loan and the figures of one of its money flows, from the programme module
 * (`ProgrammesService.flowOf`, docs/programmes.md "Contract for the money flows"): which flows a
 * programme has and with which figures is its data, never this module's code. The figures are
 * checked once more here for the shape this module computes with (domain/flow-parameters.ts).
 *
 * A bank token asking for another bank's loan gets the same 404 as for a loan that does not exist
 * (docs/access.md "Confidentiality"); an agency token never sees a programme loan (they have no
 * agency).
 */
@Injectable()
export class FlowSourceService {
  constructor(private readonly programmes: ProgrammesService) {}

  async pledgeFlow(loanId: string, principal: Principal | undefined, manager?: EntityManager): Promise<LoanFlowOf<PledgeFlowParameters>> {
    const flow = await this.flowOf(loanId, PLEDGE_FLOW, principal, manager);
    return { loan: flow.loan, parameters: pledgeFlowParameters(flow.loan.programme, flow.parameters), source: flow.source };
  }

  async subsidyFlow(loanId: string, principal: Principal | undefined, manager?: EntityManager): Promise<LoanFlowOf<SubsidyFlowParameters>> {
    const flow = await this.flowOf(loanId, SUBSIDY_FLOW, principal, manager);
    return { loan: flow.loan, parameters: subsidyFlowParameters(flow.loan.programme, flow.parameters), source: flow.source };
  }

  private async flowOf(loanId: string, kind: typeof PLEDGE_FLOW | typeof SUBSIDY_FLOW, principal: Principal | undefined, manager?: EntityManager) {
    // Another bank's loan (or any loan, for an agency) is a 404 before anything about its programme
    // or its flows is said: whose loan it is decides first. An agency needs no read; a bank's token
    // asks flowOf as its bank, which decides on the same read that answers the flow.
    const notFound = () => DomainError.notFound(LOAN_NOT_FOUND, `No programme loan ${loanId}.`, [{ code: LOAN_NOT_FOUND, field: 'loanId', message: 'not found' }]);
    if (principal?.role === 'agency') throw notFound();
    const asBank = principal?.role === 'bank';
    let f: LoanFlow;
    try {
      f = await this.programmes.flowOf(loanId, kind, manager, asBank ? { bankCode: principal.partyCode } : {});
    } catch (e) {
      // A bank gets this module's 404 whether the loan is missing or another bank's: one answer for both.
      if (asBank && e instanceof DomainError && e.code === LOAN_NOT_FOUND) throw notFound();
      throw e;
    }
    const loan: FlowLoan = {
      id: f.loanId,
      programme: f.programmeCode,
      programmeVersionId: f.programmeVersionId,
      product: f.product,
      reference: f.loan.reference,
      bankCode: f.loan.bankCode,
      borrowerCode: f.loan.borrowerCode,
      amount: Money.of(f.loan.amount),
      annualRate: Rate.of(f.loan.annualRate),
      termMonths: f.loan.termMonths,
      contractDate: f.loan.contractDate,
    };
    return { loan, parameters: f.parameters as Record<string, unknown>, source: f.source };
  }
}
