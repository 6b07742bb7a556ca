import { Injectable } from '@nestjs/common';
import { LoansService } from '../loans/loans.service';
import { BorrowersService } from '../programme/borrowers.service';
import { PartiesService } from '../programme/parties.service';
import type { ReadableNames } from '../reserve/domain/readable-names';

/**
 * The names people read beside a claim's ids and codes (issue 17 item 2): the claiming bank's
 * name, the loan's reference and the borrower's name. Three set-based look-ups for any number of
 * claims (a statement of a bank's every claim asks once).
 */
@Injectable()
export class ClaimNamesService {
  constructor(
    private readonly loans: LoansService,
    private readonly parties: PartiesService,
    private readonly borrowers: BorrowersService,
  ) {}

  async of(claims: readonly { id: string; loanId: string; bankCode: string }[]): Promise<Map<string, ReadableNames>> {
    const loans = await this.loans.referencesOf(claims.map((c) => c.loanId));
    const [banks, borrowers] = await Promise.all([
      this.parties.bankNames(claims.map((c) => c.bankCode)),
      this.borrowers.borrowerNames([...loans.values()].map((l) => l.borrowerCode)),
    ]);
    const out = new Map<string, ReadableNames>();
    for (const c of claims) {
      const loan = loans.get(c.loanId);
      out.set(c.id, {
        bankName: banks.get(c.bankCode) ?? null,
        loanReference: loan?.reference ?? null,
        borrowerName: loan ? (borrowers.get(loan.borrowerCode) ?? null) : null,
      });
    }
    return out;
  }

  async bankName(code: string): Promise<string | undefined> {
    return (await this.parties.bankNames([code])).get(code);
  }

  async one(claim: { id: string; loanId: string; bankCode: string }): Promise<ReadableNames> {
    return (await this.of([claim])).get(claim.id) ?? {};
  }
}
