import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/access/principal';
import { assertEventDates } from '../common/calendar/event-dates';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { Money } from '../common/money/money';
import { LedgerAccountsService } from '../ledger/ledger-accounts.service';
import { LedgerPostingService } from '../ledger/ledger-posting.service';
import { FLOW_BOOKS, type FlowBook, flowAccounts, fundingPosting } from './domain/flow-books';
import { FLOW_ERRORS } from './domain/flows.errors';
import { FlowFunding } from './programme-flows.entities';

/** A book code as the routes take it, or 404 FLOW.FUND_UNKNOWN. */
export function flowBook(book: string): FlowBook {
  if (!(FLOW_BOOKS as readonly string[]).includes(book)) {
    throw DomainError.notFound(FLOW_ERRORS.FUND_UNKNOWN, `No programme-flow fund "${book}"; the funds are ${FLOW_BOOKS.join(' and ')}.`, [{ code: FLOW_ERRORS.FUND_UNKNOWN, field: 'book', message: `one of ${FLOW_BOOKS.join(', ')}` }]);
  }
  return book as FlowBook;
}

/**
 * The flows' funds (docs/programme-flows.md "Funds"): appropriations into the IP-pledge fund or the
 * subsidy fund (Dr BOOK:fund / Cr BOOK:capital), and each fund's balance. Their accounts have a
 * floor of 0.00, so an advance, a top-up or a subsidy quarter larger than the fund is refused by
 * the ledger (422 LEDGER.FLOOR_BREACH), as a reserve payout is.
 */
@Injectable()
export class FlowFundsService {
  constructor(
    private readonly tx: TransactionScope,
    private readonly posting: LedgerPostingService,
    private readonly ledgerAccounts: LedgerAccountsService,
    private readonly clock: Clock,
  ) {}

  async fund(bookCode: string, input: { amount: Money; fundedOn: string; reference: string }, principal?: Principal) {
    const book = flowBook(bookCode);
    assertEventDates(this.clock.today(), [{ field: 'fundedOn', date: input.fundedOn }]);
    return this.tx.run(async (m) => {
      const fundings = m.getRepository(FlowFunding);
      if (await fundings.exists({ where: { book, reference: input.reference } })) {
        throw DomainError.conflict(FLOW_ERRORS.DUPLICATE_REFERENCE, `A funding of the ${book} fund with reference ${input.reference} is already recorded.`, [{ code: FLOW_ERRORS.DUPLICATE_REFERENCE, field: 'reference', message: 'already recorded' }]);
      }
      const recipe = fundingPosting({ book, ...input });
      await this.ledgerAccounts.ensureAccounts(recipe.accounts);
      const entry = await this.posting.post(null, recipe.entry);
      const saved = await fundings.save(fundings.create({ book, reference: input.reference, amount: input.amount, fundedOn: input.fundedOn, entryId: entry.id, fundedBy: principal?.tokenId ?? null }));
      return { id: saved.id, book, reference: input.reference, amount: input.amount.toString(), fundedOn: input.fundedOn, entryId: entry.id };
    });
  }

  /** The fund's account balance and its appropriations, as of a date (default: every posting). */
  async balance(bookCode: string, asOf: string | null) {
    const book = flowBook(bookCode);
    // Before the first funding the accounts do not exist yet: their balance is 0.00.
    const rows = await this.ledgerAccounts.balancesByPrefix(book, `${book}:`, asOf);
    const of = (code: string) => (rows.find((r) => r.code === code)?.balance ?? Money.ZERO).toString();
    return { book, asOf, fund: of(flowAccounts.fund(book).code), capital: of(flowAccounts.capital(book).code) };
  }
}
