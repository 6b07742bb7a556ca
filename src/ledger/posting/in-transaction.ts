import { EntityManager } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error';
import { takesCarefulPath, translateRefusal } from './posting.errors';
import { Group, GroupResult, PostedEntry, Querier, WritePath } from './posting.types';

/** Writes groups in the transaction `q` runs in, on one path (fast-path.ts, careful-path.ts). */
export type TransactionWrite = (q: Querier, groups: Group[], path: WritePath) => Promise<GroupResult[]>;

/** A manager outside a transaction is a programmer error: without one the row locks would not hold. */
export function assertInTransaction(manager: EntityManager): void {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error('LedgerPostingService: pass the EntityManager of an open transaction, or null to let the ledger commit');
  }
}

/**
 * Posts one group inside the caller's transaction, within a savepoint, so a refused entry leaves
 * the caller's transaction usable and clean: the fast path first; when it declines or PostgreSQL
 * refuses it (posting.errors.ts takesCarefulPath), back to the savepoint and the careful path,
 * which answers exactly. Any other error, and every refusal, rolls back to the savepoint and
 * reaches the caller.
 */
export async function postInSavepoint(q: Querier, group: Group, savepoint: string, write: TransactionWrite): Promise<PostedEntry[]> {
  await q(`SAVEPOINT ${savepoint}`);
  try {
    const result = await fastThenCareful(q, group, savepoint, write);
    if (result instanceof DomainError) throw result;
    await q(`RELEASE SAVEPOINT ${savepoint}`);
    return result;
  } catch (error) {
    await q(`ROLLBACK TO SAVEPOINT ${savepoint}`);
    throw translateRefusal(error);
  }
}

async function fastThenCareful(q: Querier, group: Group, savepoint: string, write: TransactionWrite): Promise<GroupResult> {
  try {
    const [result] = await write(q, [group], 'fast');
    return result;
  } catch (error) {
    if (!takesCarefulPath(error)) throw error;
    // A refusal the fast path does not answer itself: undo it, and take the careful path.
    await q(`ROLLBACK TO SAVEPOINT ${savepoint}`);
    const [result] = await write(q, [group], 'careful');
    return result;
  }
}
