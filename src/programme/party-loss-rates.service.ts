import { Injectable } from '@nestjs/common';
import { TransactionScope } from '../common/database/transaction-scope';
import type { Money } from '../common/money/money';
import type { Rate } from '../common/money/rate';
import type { PartyStatus } from './domain/party-status';
import { PartyLossRate } from './programme.entities';

export type LossRateParty = 'bank' | 'agency';

/** One party's loss rate for a quarter, as the quarter close records it (RULES §6). */
export interface LossRateRecord {
  partyType: LossRateParty;
  partyCode: string;
  approved: Money;
  refunded: Money;
  writtenOff: Money;
  numerator: Money;
  balance: Money;
  rate: Rate | null;
  rateExact: string | null;
  rateShown: string | null;
  band: 'normal' | 'warning' | 'severe';
  statusBefore: PartyStatus;
  statusAfter: PartyStatus;
}

/** The party whose code, joining date and current status the quarter close needs. */
export interface PartyRow {
  code: string;
  status: PartyStatus;
  joinedOn: string | null;
  /** Banks: the earliest tri-party agreement; agencies: null. */
  firstAgreementOn: string | null;
  createdOn: string;
  /** Agencies: the annual fee rate; banks: null. */
  feeRate: string | null;
}

export function lossRateOut(r: PartyLossRate) {
  return {
    quarter: r.quarter,
    asOf: r.asOf,
    approved: r.approved.toString(),
    refunded: r.refunded.toString(),
    writtenOff: r.writtenOff.toString(),
    numerator: r.numerator.toString(),
    balance: r.balance.toString(),
    rate: r.rate?.toString() ?? null,
    rateShown: r.rateShown,
    band: r.band,
    statusBefore: r.statusBefore,
    statusAfter: r.statusAfter,
  };
}

/**
 * Loss rates per party per quarter (RULES §6: "History is kept per quarter"): written by the quarter
 * close, shown on GET /v1/banks|agencies/{code}, and read back by the margin requirement (the 20%
 * test uses the loss rate a close published, RULES §7). Runs in the open transaction when there is
 * one.
 */
@Injectable()
export class PartyLossRatesService {
  constructor(private readonly tx: TransactionScope) {}

  /** Every bank or agency with what the quarter close needs of it, in code order. */
  async parties(type: LossRateParty): Promise<PartyRow[]> {
    const rows = (await this.tx.manager.query(
      type === 'bank'
        ? `SELECT b.code, b.status, b.joined_on::text AS joined_on, (SELECT min(a.signed_on)::text FROM agreements a WHERE a.bank_code = b.code) AS first_agreement_on,
                  (b.created_at AT TIME ZONE 'Asia/Shanghai')::date::text AS created_on, NULL AS fee_rate
             FROM banks b ORDER BY b.code`
        : `SELECT g.code, g.status, g.joined_on::text AS joined_on, NULL AS first_agreement_on,
                  (g.created_at AT TIME ZONE 'Asia/Shanghai')::date::text AS created_on, g.fee_rate::text AS fee_rate
             FROM agencies g ORDER BY g.code`,
    )) as { code: string; status: PartyStatus; joined_on: string | null; first_agreement_on: string | null; created_on: string; fee_rate: string | null }[];
    return rows.map((r) => ({ code: r.code, status: r.status, joinedOn: r.joined_on, firstAgreementOn: r.first_agreement_on, createdOn: r.created_on, feeRate: r.fee_rate }));
  }

  /** The parties of a type with an open loss_rate reason (the close must look at them even in the normal band). */
  async withOpenLossRateReason(type: LossRateParty): Promise<Set<string>> {
    const rows = (await this.tx.manager.query(
      `SELECT DISTINCT party_code FROM party_status_reasons WHERE party_type = $1 AND source = 'loss_rate' AND ended_on IS NULL`,
      [type],
    )) as { party_code: string }[];
    return new Set(rows.map((r) => r.party_code));
  }

  /** The current status of every party of a type. */
  async statuses(type: LossRateParty): Promise<Map<string, PartyStatus>> {
    const rows = (await this.tx.manager.query(type === 'bank' ? `SELECT code, status FROM banks` : `SELECT code, status FROM agencies`)) as {
      code: string;
      status: PartyStatus;
    }[];
    return new Map(rows.map((r) => [r.code, r.status]));
  }

  /**
   * Records a quarter's loss rates (once: a row of the same party and quarter is kept) and sets
   * each party's latest loss rate on its row.
   */
  async record(quarter: string, asOf: string, rows: readonly LossRateRecord[]): Promise<void> {
    await this.tx.run(async (m) => {
      const repo = m.getRepository(PartyLossRate);
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500).map((r) => repo.create({ ...r, quarter, asOf }));
        await repo.createQueryBuilder().insert().values(chunk).orIgnore().execute();
      }
      for (const type of ['bank', 'agency'] as const) {
        await m.query(
          `UPDATE ${type === 'bank' ? 'banks' : 'agencies'} p SET loss_rate = r.rate, loss_rate_quarter = r.quarter
             FROM party_loss_rates r WHERE r.party_type = $1 AND r.party_code = p.code AND r.quarter = $2`,
          [type, quarter],
        );
      }
    });
  }

  /** A quarter's loss rates of one type, in code order. */
  async ofQuarter(type: LossRateParty, quarter: string): Promise<PartyLossRate[]> {
    return this.tx.manager.find(PartyLossRate, { where: { partyType: type, quarter }, order: { partyCode: 'ASC' } });
  }

  /** One party's loss rates, oldest quarter first. */
  async history(type: LossRateParty, code: string): Promise<PartyLossRate[]> {
    return this.tx.manager.find(PartyLossRate, { where: { partyType: type, partyCode: code }, order: { quarter: 'ASC' } });
  }
}
