import { Injectable } from '@nestjs/common';
import type { AgencyCompensationPort } from '../agencies/agency-compensation.port';
import { TransactionScope } from '../common/database/transaction-scope';
import { Money } from '../common/money/money';
import { Claim } from './claim.entity';
import { GRANTED_STATUSES } from './domain/claim-lifecycle';

/**
 * Totals over claims that other modules need without reading the claims table themselves
 * (issue #9 item 3): the agencies module's port for an agency's net compensation (RULES §6:
 * approved − refunded − written off, over the claims whose compensation has been granted).
 * Runs in the open transaction when there is one.
 */
/** The dated parts of the loss-rate numerator of one bank or agency (RULES §6). */
export interface LossRateNumerator {
  approved: Money;
  refunded: Money;
  writtenOff: Money;
}

export interface LossRateNumerators {
  banks: Map<string, LossRateNumerator>;
  agencies: Map<string, LossRateNumerator>;
}

/**
 * The loss-rate numerators of every bank and agency as of a date (RULES §6, 2026-12): compensation
 * approved, refunds received and compensation written off dated on or before it — not "everything
 * so far". One set-based statement (GROUPING SETS by bank and by agency) over claims and their
 * recoveries; nothing is loaded row by row.
 */
const NUMERATORS_SQL = `
  WITH parts AS (
    SELECT c.bank_code, c.agency_code, c.compensation AS approved, 0::numeric AS refunded,
           CASE WHEN c.written_off_on <= $1 THEN coalesce(c.written_off_amount, 0) ELSE 0 END AS written_off
      FROM claims c WHERE c.approved_on IS NOT NULL AND c.approved_on <= $1
    UNION ALL
    SELECT c.bank_code, c.agency_code, 0, r.refund, 0
      FROM claim_recoveries r JOIN claims c ON c.id = r.claim_id
     WHERE r.refunded_on IS NOT NULL AND r.refunded_on <= $1 AND c.approved_on IS NOT NULL
  )
  SELECT bank_code, agency_code, GROUPING(bank_code, agency_code) AS grp,
         sum(approved)::numeric(20,2)::text AS approved, sum(refunded)::numeric(20,2)::text AS refunded,
         sum(written_off)::numeric(20,2)::text AS written_off
    FROM parts GROUP BY GROUPING SETS ((bank_code), (agency_code))`;

@Injectable()
export class ClaimTotalsService implements AgencyCompensationPort {
  constructor(private readonly tx: TransactionScope) {}

  async netCompensation(agencyCode: string, options: { excludeClaimId?: string } = {}): Promise<Money> {
    const qb = this.tx.manager
      .getRepository(Claim)
      .createQueryBuilder('c')
      .select('COALESCE(SUM(c.compensation - c.refunded_total - COALESCE(c.written_off_amount, 0)), 0)::numeric(20,2)::text', 'net')
      .where('c.agency_code = :agencyCode', { agencyCode })
      .andWhere('c.status IN (:...granted)', { granted: [...GRANTED_STATUSES] });
    if (options.excludeClaimId) qb.andWhere('c.id <> :exclude', { exclude: options.excludeClaimId });
    const row = await qb.getRawOne<{ net: string }>();
    return Money.of(row?.net ?? '0');
  }

  /** Loss-rate numerators per bank and per agency as of `asOf` (see NUMERATORS_SQL). */
  async lossRateNumerators(asOf: string): Promise<LossRateNumerators> {
    const rows = (await this.tx.manager.query(NUMERATORS_SQL, [asOf])) as {
      bank_code: string | null;
      agency_code: string | null;
      grp: number;
      approved: string;
      refunded: string;
      written_off: string;
    }[];
    const out: LossRateNumerators = { banks: new Map(), agencies: new Map() };
    for (const r of rows) {
      const n = { approved: Money.of(r.approved), refunded: Money.of(r.refunded), writtenOff: Money.of(r.written_off) };
      if (r.grp === 1 && r.bank_code !== null) out.banks.set(r.bank_code, n);
      else if (r.grp === 2 && r.agency_code !== null) out.agencies.set(r.agency_code, n);
    }
    return out;
  }
}
