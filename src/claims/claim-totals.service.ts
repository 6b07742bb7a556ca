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
}
