import type { Principal } from '../common/access/principal';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock/clock';
import { assertEventDates } from '../common/calendar/event-dates';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import type { PostingRecipe } from '../ledger/domain/entry-draft';
import { LedgerAccountsService } from '../ledger/ledger-accounts.service';
import { LedgerPostingService } from '../ledger/ledger-posting.service';
import { OutstandingService } from '../loans/outstanding.service';
import { PartiesService } from '../programme/parties.service';
import { PolicyService } from '../programme/policy.service';
import { DEPOSIT_PREFIX, RESERVE_BOOK, depositBalancesByBank, reserveAccounts } from './domain/books';
import { ReserveAccountsService } from './reserve-accounts.service';
import { allocateCustodyFee } from './domain/custody-fee.calculator';
import { custodyFeePostings } from './domain/custody-fee-postings';
import { quarterFirstDay, quarterLastDay } from '../common/calendar/quarter';
import { computeReserveBand } from './domain/reserve-band.calculator';
import { RESERVE_ERRORS } from './domain/reserve.errors';
import { fundingPosting, interestPosting } from './domain/reserve-postings';
import { ReserveFunding } from './reserve-funding.entity';

/**
 * The reserve's money at the partner banks (RULES §8; R 第七–十一条): one open deposit account per
 * bank (its current one, ReserveAccountsService; moves open the next), funded by appropriations and credited with deposit interest; its size against the
 * 10%–15% band of the outstanding tech-loan balance.
 */
@Injectable()
export class ReserveService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly posting: LedgerPostingService,
    private readonly ledgerAccounts: LedgerAccountsService,
    private readonly parties: PartiesService,
    private readonly outstanding: OutstandingService,
    private readonly policies: PolicyService,
    private readonly clock: Clock,
    private readonly accounts: ReserveAccountsService,
  ) {}

  /** An appropriation deposited into a bank's reserve account: Dr reserve:deposit:BANK / Cr reserve:capital (`fundingPosting`). */
  async fund(input: { bankCode: string; amount: Money; fundedOn: string; reference: string }) {
    if (!input.amount.isPositive()) throw DomainError.invalid(RESERVE_ERRORS.AMOUNT_NOT_POSITIVE, 'A funding must be more than 0.00.');
    assertEventDates(this.clock.today(), [{ field: 'fundedOn', date: input.fundedOn }]);
    return this.tx.run(async (m) => {
      await this.parties.getBank(input.bankCode, m);
      const fundings = m.getRepository(ReserveFunding);
      if (await fundings.exists({ where: { reference: input.reference } })) {
        throw DomainError.conflict(RESERVE_ERRORS.DUPLICATE_REFERENCE, `A funding with reference ${input.reference} is already recorded.`);
      }
      const entry = await this.post(fundingPosting({ ...input, depositOrdinal: await this.currentOrdinal(input.bankCode) }));
      const saved = await fundings.save(fundings.create({ reference: input.reference, bankCode: input.bankCode, amount: input.amount, fundedOn: input.fundedOn, entryId: entry.id }));
      return {
        id: saved.id,
        bankCode: input.bankCode,
        amount: input.amount.toString(),
        fundedOn: input.fundedOn,
        reference: input.reference,
        entryId: entry.id,
        sequence: entry.sequence,
      };
    });
  }

  /** Deposit interest credited by a bank: Dr reserve:deposit:BANK / Cr reserve:interest (`interestPosting`). */
  async creditInterest(input: { bankCode: string; amount: Money; creditedOn: string }) {
    if (!input.amount.isPositive()) throw DomainError.invalid(RESERVE_ERRORS.AMOUNT_NOT_POSITIVE, 'Interest must be more than 0.00.');
    assertEventDates(this.clock.today(), [{ field: 'creditedOn', date: input.creditedOn }]);
    return this.tx.run(async (m) => {
      await this.parties.getBank(input.bankCode, m);
      const entry = await this.post(interestPosting({ ...input, depositOrdinal: await this.currentOrdinal(input.bankCode) }));
      return { bankCode: input.bankCode, amount: input.amount.toString(), creditedOn: input.creditedOn, entryId: entry.id, sequence: entry.sequence };
    });
  }

  /**
   * GET /v1/reserve: the reserve's total and per-bank balances as of a date, against the 10%–15%
   * band. The totals are programme-wide for every role; the per-bank list shows a bank token its
   * own balance only, and an agency token none (issue #15). The quarter close passes no principal
   * (it sees every bank) and the outstanding total it has already aggregated for the same date.
   */
  async overview(asOf?: string, options: { principal?: Principal; outstandingTotal?: Money } = {}) {
    const { principal, outstandingTotal } = options;
    const date = asOf ?? this.clock.today();
    // Per bank, all its accounts together (after a move the closed one holds 0.00; docs/reserve-accounts.md).
    const banks = depositBalancesByBank(await this.ledgerAccounts.balancesByPrefix(RESERVE_BOOK, DEPOSIT_PREFIX, date));
    const total = Money.sum(banks.map((b) => b.balance));
    // The quarter close passes the outstanding total it has already aggregated for the same date.
    const outstanding = outstandingTotal ?? (await this.outstanding.asOf(date)).total;
    const band = computeReserveBand({ outstandingBalance: outstanding, currentTotal: total }, this.policies.versionFor(date));
    return {
      asOf: date,
      total: total.toString(),
      banks: banks.filter((b) => canSeeBank(principal, b.bankCode)).map((b) => ({ bankCode: b.bankCode, balance: b.balance.toString() })),
      outstandingLoans: outstanding.toString(),
      band: { min: band.min.toString(), max: band.max.toString() },
      topUp: band.topUp.toString(),
      excess: band.excess.toString(),
      withinBand: band.withinBand,
      breakdown: band.breakdown,
    };
  }

  /**
   * The quarter's custody fee (RULES §8; R 第二十二条), posted in the open transaction (the quarter
   * close's duty): each reserve account's principal at the quarter end before the quarter's
   * interest, and its interest of the quarter (entries touching reserve:interest dated in the
   * quarter), go to `allocateCustodyFee`; `custodyFeePostings` makes the entries.
   */
  async takeCustodyFee(quarter: string) {
    const from = quarterFirstDay(quarter);
    const to = quarterLastDay(quarter);
    return this.tx.run(async () => {
      await this.ledgerAccounts.ensureBook(RESERVE_BOOK);
      // Per bank, its accounts together: interest credited to an account that was moved later in
      // the quarter went over with its balance (docs/reserve-accounts.md).
      const balances = depositBalancesByBank(await this.ledgerAccounts.balancesByPrefix(RESERVE_BOOK, DEPOSIT_PREFIX, to));
      const interest = new Map(
        depositBalancesByBank(await this.ledgerAccounts.netMovementWith(RESERVE_BOOK, DEPOSIT_PREFIX, reserveAccounts.interest().code, from, to)).map((r) => [r.bankCode, r.balance]),
      );
      // The quarter's interest counts only as far as the account still holds it at the quarter
      // end (a payout or an account move after the interest was credited may have taken it): the
      // fee's interest share is credited back to the account as capital, which must never take
      // it below its floor (docs/quarters.md "Custody fee").
      let interestNotHeld = Money.ZERO;
      const accounts = balances.map((b) => {
        const held = b.balance.max(Money.ZERO);
        const credited = (interest.get(b.bankCode) ?? Money.ZERO).max(Money.ZERO);
        const i = credited.min(held);
        interestNotHeld = interestNotHeld.plus(credited.minus(i));
        return { bankCode: b.bankCode, principal: held.minus(i), interest: i };
      });
      const fee = allocateCustodyFee({ accounts }, this.policies.versionFor(to));
      // Taken from each bank's current account, whichever account held the money at the quarter end.
      const ordinals = await this.accounts.currentOrdinals(accounts.map((a) => a.bankCode));
      const entries = [];
      for (const recipe of custodyFeePostings(quarter, to, fee, interestNotHeld, ordinals)) entries.push(await this.post(recipe));
      return {
        quarter,
        on: to,
        reserveTotal: Money.sum(accounts.map((a) => a.principal)).toString(),
        quarterInterest: Money.sum(accounts.map((a) => a.interest)).toString(),
        interestNotHeld: interestNotHeld.toString(),
        total: fee.fee.toString(),
        fromInterest: fee.fromInterest.toString(),
        fromPrincipal: fee.fromPrincipal.toString(),
        interestToPrincipal: fee.interestToPrincipal.toString(),
        banks: fee.legs.map((l) => ({
          bankCode: l.bankCode,
          fromInterest: l.feeFromInterest.toString(),
          fromPrincipal: l.feeFromPrincipal.toString(),
          interestToPrincipal: l.interestToPrincipal.toString(),
        })),
        entryIds: entries.map((e) => e.id),
        breakdown: fee.breakdown,
      };
    });
  }

  private async currentOrdinal(bankCode: string): Promise<number> {
    return (await this.accounts.currentOrdinals([bankCode])).get(bankCode) as number;
  }

  /** Opens the recipe's accounts and posts its entry in the open transaction. */
  private async post(recipe: PostingRecipe) {
    await this.ledgerAccounts.ensureAccounts(recipe.accounts);
    return this.posting.post(null, recipe.entry);
  }
}

function canSeeBank(principal: Principal | undefined, bankCode: string): boolean {
  if (principal?.role === 'bank') return principal.partyCode === bankCode;
  return principal?.role !== 'agency';
}
