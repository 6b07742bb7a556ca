import { Injectable } from '@nestjs/common';
import { quarterLastDay } from '../common/calendar/quarter';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { D } from '../common/money/decimal';
import { Money } from '../common/money/money';
import { Rate } from '../common/money/rate';
import { LedgerAccountsService } from '../ledger/ledger-accounts.service';
import { LoanAggregatesService } from '../loans/loan-aggregates.service';
import { OutstandingService } from '../loans/outstanding.service';
import { PartyLossRatesService } from '../programme/party-loss-rates.service';
import { PolicyService } from '../programme/policy.service';
import { DEPOSIT_PREFIX, RESERVE_BOOK, depositBalancesByBank } from './domain/books';
import { computePlacement, type PlacementBankInput } from './domain/placement.calculator';
import { RESERVE_ERRORS } from './domain/reserve.errors';
import { planTransfers } from './domain/transfer-plan.calculator';
import { PlacementProposal } from './placement-proposal.entity';

const PAYABLE_PREFIX = 'reserve:payable:';

export function placementOut(p: PlacementProposal) {
  return { id: p.id, quarter: p.quarter, status: p.status, asOf: p.asOf, total: p.total.toString(), banks: p.banks, transfers: p.transfers, breakdown: p.breakdown };
}

/**
 * The quarter's placement proposal (RULES §8 Decision 2026-12, the cycle): the inputs per bank
 * (balance, loan figures, loss rate, money approved but unpaid), the scores and targets of the
 * published scoring model and the fewest transfers that reach them. Stored as `proposed`; the
 * approval and the custodian's execution are the next step of the cycle.
 */
@Injectable()
export class PlacementService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly ledgerAccounts: LedgerAccountsService,
    private readonly outstanding: OutstandingService,
    private readonly loanAggregates: LoanAggregatesService,
    private readonly lossRates: PartyLossRatesService,
    private readonly policies: PolicyService,
  ) {}

  /** Computes and stores the proposal of `quarter` as of its last day (once: the stored one is returned); `outstandingByBank` when the caller has it. */
  async propose(quarter: string, outstandingByBank?: ReadonlyMap<string, Money>): Promise<ReturnType<typeof placementOut>> {
    const asOf = quarterLastDay(quarter);
    return this.tx.run(async (m) => {
      const existing = await m.findOne(PlacementProposal, { where: { quarter } });
      if (existing) return placementOut(existing);
      const policy = this.policies.versionFor(asOf);
      // Per bank, its accounts together (a moved account holds 0.00; docs/reserve-accounts.md).
      const balances = new Map(depositBalancesByBank(await this.ledgerAccounts.balancesByPrefix(RESERVE_BOOK, DEPOSIT_PREFIX, null)).map((b) => [b.bankCode, b.balance]));
      const payable = new Map((await this.ledgerAccounts.balancesByPrefix(RESERVE_BOOK, PAYABLE_PREFIX, null)).map((b) => [b.code.slice(PAYABLE_PREFIX.length), b.balance]));
      // The quarter close passes the banks' balances it has already aggregated as of the quarter end.
      const outstanding = outstandingByBank ?? new Map((await this.outstanding.asOf(asOf)).banks.map((b) => [b.bankCode, b.outstanding]));
      const figures = new Map((await this.loanAggregates.placementFigures(asOf, Money.of(policy.smallBorrowerRevenueMax))).map((f) => [f.bankCode, f]));
      const rates = new Map((await this.lossRates.ofQuarter('bank', quarter)).map((r) => [r.partyCode, r]));
      const disqualified = new Set((await this.lossRates.parties('bank')).filter((p) => p.status === 'disqualified').map((p) => p.code));
      const codes = [...new Set([...balances.keys(), ...[...outstanding.entries()].filter(([, v]) => v.isPositive()).map(([k]) => k)])]
        .filter((c) => !disqualified.has(c) || (balances.get(c) ?? Money.ZERO).isPositive())
        .sort();
      const total = Money.sum(codes.map((c) => balances.get(c) ?? Money.ZERO));
      const inputs: PlacementBankInput[] = codes.map((c) => {
        const f = figures.get(c);
        const balance = balances.get(c) ?? Money.ZERO;
        const rate = rates.get(c);
        return {
          bankCode: c,
          outstandingBalance: outstanding.get(c) ?? Money.ZERO,
          averageTermMonths: new D(f?.averageTermMonths ?? '0'),
          averageRate: Rate.of(f?.averageRate ?? '0'),
          collateralRatio: Rate.of(f?.collateralRatio ?? '0'),
          smallBorrowerShare: Rate.of(f?.smallBorrowerShare ?? '0'),
          lossRate: rate ? rate.rate : null,
          lockedAmount: (payable.get(c) ?? Money.ZERO).min(balance),
        };
      });
      let banks: PlacementProposal['banks'] = [];
      let transfers: PlacementProposal['transfers'] = [];
      let breakdown: PlacementProposal['breakdown'] = [];
      if (inputs.length && total.isPositive()) {
        const placement = computePlacement({ total, banks: inputs }, policy);
        const plan = planTransfers({ accounts: placement.banks.map((b) => ({ bankCode: b.bankCode, current: balances.get(b.bankCode) ?? Money.ZERO, target: b.target })) });
        banks = placement.banks.map((b) => ({
          bankCode: b.bankCode,
          balance: (balances.get(b.bankCode) ?? Money.ZERO).toString(),
          locked: b.lockedAmount.toString(),
          score: b.score.toDecimalPlaces(8).toFixed(),
          target: b.target.toString(),
        }));
        transfers = plan.transfers.map((t, i) => ({
          id: `${quarter}-T${i + 1}`,
          fromBankCode: t.from,
          toBankCode: t.to,
          amount: t.amount.toString(),
          reference: `PLACE-${quarter}-${i + 1}`,
          status: 'pending' as const,
        }));
        breakdown = [...placement.breakdown, ...plan.breakdown];
      }
      const saved = await m.save(m.create(PlacementProposal, { quarter, status: 'proposed', asOf, total, banks, transfers, breakdown }));
      return placementOut(saved);
    });
  }

  /** GET /v1/placements/{id}. */
  async get(id: string): Promise<ReturnType<typeof placementOut>> {
    const p = /^[0-9a-f-]{36}$/.test(id) ? await this.tx.manager.findOne(PlacementProposal, { where: { id } }) : null;
    if (!p) throw DomainError.notFound(RESERVE_ERRORS.PLACEMENT_NOT_FOUND, `No placement proposal ${id}.`);
    return placementOut(p);
  }

  /** The proposal of a quarter, or null. */
  async ofQuarter(quarter: string): Promise<ReturnType<typeof placementOut> | null> {
    const p = await this.tx.manager.findOne(PlacementProposal, { where: { quarter } });
    return p ? placementOut(p) : null;
  }
}
