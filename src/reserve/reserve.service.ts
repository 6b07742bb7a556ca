import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock/clock';
import { DomainError } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import { LedgerPostingService } from '../ledger/ledger-posting.service';
import { OutstandingService } from '../loans/outstanding.service';
import { PartiesService } from '../programme/parties.service';
import { PolicyService } from '../programme/policy.service';
import { DEPOSIT_PREFIX, RESERVE_BOOK } from './domain/books';
import { computeReserveBand } from './domain/reserve-band.calculator';
import { fundingPosting, interestPosting } from './domain/reserve-postings';
import { balancesByPrefixAsOf, ledgerAccount } from './ledger-reads';

/**
 * The reserve's money at the partner banks (RULES §8; R 第七–十一条): one deposit account per
 * bank, funded by appropriations and credited with deposit interest; its size against the
 * 10%–15% band of the outstanding tech-loan balance.
 */
@Injectable()
export class ReserveService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly posting: LedgerPostingService,
    private readonly parties: PartiesService,
    private readonly outstanding: OutstandingService,
    private readonly policies: PolicyService,
    private readonly clock: Clock,
  ) {}

  /** An appropriation deposited into a bank's reserve account: Dr reserve:deposit:BANK / Cr reserve:capital (`fundingPosting`). */
  async fund(input: { bankCode: string; amount: Money; fundedOn: string; reference: string }) {
    if (!input.amount.isPositive()) throw DomainError.invalid('RESERVE.AMOUNT_NOT_POSITIVE', 'A funding must be more than 0.00.');
    return this.dataSource.transaction(async (m) => {
      await this.parties.getBank(input.bankCode, m);
      const existing: { id: string }[] = await m.query('SELECT id FROM reserve_fundings WHERE reference = $1', [input.reference]);
      if (existing.length) {
        throw DomainError.conflict('RESERVE.DUPLICATE_REFERENCE', `A funding with reference ${input.reference} is already recorded.`);
      }
      const funding = fundingPosting(input);
      for (const def of funding.accounts) await this.posting.ensureAccount(m, ledgerAccount(def));
      const entry = await this.posting.post(m, funding.entry);
      const rows: { id: string }[] = await m.query(
        `INSERT INTO reserve_fundings (reference, bank_code, amount, funded_on, entry_id) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [input.reference, input.bankCode, input.amount.toString(), input.fundedOn, entry.id],
      );
      return {
        id: rows[0].id,
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
    if (!input.amount.isPositive()) throw DomainError.invalid('RESERVE.AMOUNT_NOT_POSITIVE', 'Interest must be more than 0.00.');
    return this.dataSource.transaction(async (m) => {
      await this.parties.getBank(input.bankCode, m);
      const interest = interestPosting(input);
      for (const def of interest.accounts) await this.posting.ensureAccount(m, ledgerAccount(def));
      const entry = await this.posting.post(m, interest.entry);
      return { bankCode: input.bankCode, amount: input.amount.toString(), creditedOn: input.creditedOn, entryId: entry.id, sequence: entry.sequence };
    });
  }

  /** GET /v1/reserve: the reserve's total and per-bank balances as of a date, against the 10%–15% band. */
  async overview(asOf?: string) {
    const date = asOf ?? this.clock.today();
    const m = this.dataSource.manager;
    const balances = await balancesByPrefixAsOf(m, RESERVE_BOOK, DEPOSIT_PREFIX, date);
    const banks = balances.map((b) => ({ bankCode: b.code.slice(DEPOSIT_PREFIX.length), balance: b.balance }));
    const total = Money.sum(banks.map((b) => b.balance));
    const outstanding = await this.outstanding.asOf(date);
    const band = computeReserveBand({ outstandingBalance: outstanding.total, currentTotal: total }, this.policies.versionFor(date));
    return {
      asOf: date,
      total: total.toString(),
      banks: banks.map((b) => ({ bankCode: b.bankCode, balance: b.balance.toString() })),
      outstandingLoans: outstanding.total.toString(),
      band: { min: band.min.toString(), max: band.max.toString() },
      topUp: band.topUp.toString(),
      excess: band.excess.toString(),
      withinBand: band.withinBand,
      breakdown: band.breakdown,
    };
  }
}
