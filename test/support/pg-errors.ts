import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';

/**
 * Errors as the ledger's posting path meets them, for the routing specs: what PostgreSQL answers (pg's
 * DatabaseError with a SQLSTATE, wrapped by TypeORM) and what a lost connection looks like.
 */
export function serverError(code: string, message: string, extra: { constraint?: string } = {}): QueryFailedError {
  const driver = Object.assign(new DatabaseError(message, message.length, 'error'), { code, severity: 'ERROR' }, extra);
  return new QueryFailedError('SELECT …', [], driver);
}

/** A trigger's refusal: `RAISE EXCEPTION 'LEDGER.X: …' USING ERRCODE = 'P0001'`. */
export function triggerRefusal(code = 'LEDGER.FLOOR_BREACH', text = 'account reserve:deposit:BANK01 would go to -0.01 (floor 0.00)'): QueryFailedError {
  return serverError('P0001', `${code}: ${text}`);
}

/** The same entry reversed twice at once: the unique index allowing one reversal per entry. */
export function reversedTwice(): QueryFailedError {
  return serverError('23505', 'duplicate key value violates unique constraint "ledger_entries_reversal_of"', { constraint: 'ledger_entries_reversal_of' });
}

/** A deadlock victim (SQLSTATE 40P01): retryable by the caller, not a refusal. */
export function deadlock(): QueryFailedError {
  return serverError('40P01', 'deadlock detected');
}

/** What pg reports when the server process goes away mid-query, wrapped as the posting queriers wrap it. */
export function connectionLost(): QueryFailedError {
  return new QueryFailedError('SELECT …', [], new Error('Connection terminated unexpectedly'));
}
