import { QueryFailedError } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { LEDGER_ERRORS } from './domain/ledger.errors';

/** PostgreSQL's serialization failure and deadlock: the transaction may simply be run again. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

/**
 * Whether a failed transaction that posted to the ledger may be run again as a whole: the
 * balances it read moved underneath it (a floor the ledger refused after the caller's own checks
 * passed), or PostgreSQL aborted it for a serialization failure or a deadlock. Anything else —
 * a rule refusal, a bug — is final.
 */
export function isRetryableLedgerConflict(error: unknown): boolean {
  if (error instanceof DomainError) return error.code === LEDGER_ERRORS.FLOOR_BREACH;
  if (error instanceof QueryFailedError) {
    return RETRYABLE_SQLSTATES.has((error.driverError as { code?: string } | undefined)?.code ?? '');
  }
  return false;
}

/**
 * Whether the attempt may run again inside a transaction it did not open (the request's, under an
 * Idempotency-Key): only after a floor refusal, which the posting rolled back to its own savepoint,
 * leaving the transaction usable. A serialization failure or deadlock aborts the whole
 * transaction, so it goes to the transaction's owner, which runs everything again
 * (src/common/idempotency/idempotency.interceptor.ts).
 */
function retryableInOuterTransaction(error: unknown): boolean {
  return error instanceof DomainError && error.code === LEDGER_ERRORS.FLOOR_BREACH;
}

/**
 * Runs `attempt` (a whole transaction: it must read, decide and post again from scratch) until it
 * succeeds, fails with an error that is not a retryable ledger conflict, or has run `attempts`
 * times; the last error is thrown. `inOuterTransaction`: the attempt joins a transaction opened
 * by its caller (see retryableInOuterTransaction).
 */
export async function retryOnLedgerConflict<T>(
  attempt: () => Promise<T>,
  options: { attempts: number; onRetry?: (attemptNo: number, error: unknown) => void; inOuterTransaction?: boolean },
): Promise<T> {
  const retryable = options.inOuterTransaction ? retryableInOuterTransaction : isRetryableLedgerConflict;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= options.attempts || !retryable(error)) throw error;
      options.onRetry?.(n, error);
    }
  }
}
