import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { yearOf } from '../common/calendar/iso-date';
import { TransactionScope } from '../common/database/transaction-scope';
import { Money } from '../common/money/money';
import { OutstandingService } from '../loans/outstanding.service';
import type { BankAnnualRoomPort, BankAnnualRoomView } from '../programme/bank-annual-room.port';
import type { PolicyVersion } from '../programme/domain/policy-version';
import { PolicyService } from '../programme/policy.service';
import { Claim } from './claim.entity';
import { GRANTED_STATUSES } from './domain/claim-lifecycle';
import { type BankAnnualRoom, bankAnnualRoom, hasBankAnnualCap } from './domain/bank-annual-cap.calculator';

/**
 * The per-bank annual cap of henan-2025 (RULES §11a): the room of a bank in a calendar year, from
 * its outstanding balance at the previous year end (the loans module's) and the compensation
 * approved for it in the year (ours). Provides the programme's BANK_ANNUAL_ROOM port for
 * `GET /v1/banks/{code}`; the approval batch uses `room` inside its transaction.
 */
@Injectable()
export class BankAnnualCapService implements BankAnnualRoomPort {
  constructor(
    private readonly tx: TransactionScope,
    private readonly outstanding: OutstandingService,
    private readonly policies: PolicyService,
  ) {}

  /** Compensation approved for the bank with an approval date in `year` (every version). */
  async approvedInYear(bankCode: string, year: number, manager?: EntityManager): Promise<Money> {
    const row = await (manager ?? this.tx.manager)
      .getRepository(Claim)
      .createQueryBuilder('c')
      .select('COALESCE(SUM(c.compensation), 0)::numeric(20,2)::text', 'total')
      .where('c.bank_code = :bankCode', { bankCode })
      .andWhere('c.status IN (:...granted)', { granted: [...GRANTED_STATUSES] })
      .andWhere('c.approved_on BETWEEN :from AND :to', { from: `${year}-01-01`, to: `${year}-12-31` })
      .getRawOne<{ total: string }>();
    return Money.of(row?.total ?? '0');
  }

  /** The room of `bankCode` in the year of `date` under `policy` (which must have the cap), before `extraApproved`. */
  async room(bankCode: string, date: string, policy: PolicyVersion, extraApproved = Money.ZERO): Promise<BankAnnualRoom> {
    const year = yearOf(date);
    const m = this.tx.manager;
    const balancePreviousYearEnd = await this.outstanding.ofBank(bankCode, `${year - 1}-12-31`, m);
    const approvedThisYear = (await this.approvedInYear(bankCode, year, m)).plus(extraApproved);
    return bankAnnualRoom({ bankCode, year, balancePreviousYearEnd, approvedThisYear }, policy);
  }

  async roomOn(bankCode: string, date: string): Promise<BankAnnualRoomView | null> {
    const policy = this.policies.versionFor(date);
    if (!hasBankAnnualCap(policy)) return null;
    const r = await this.room(bankCode, date, policy);
    const balance = await this.outstanding.ofBank(bankCode, `${r.year - 1}-12-31`);
    return {
      year: r.year,
      policyVersion: policy.id,
      balancePreviousYearEnd: balance.toString(),
      capByBalance: r.capByBalance.toString(),
      capAmount: r.capAmount?.toString() ?? null,
      cap: r.cap.toString(),
      approved: r.approved.toString(),
      room: r.room.toString(),
      breakdown: r.breakdown,
    };
  }
}
