import { QueryFailedError } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error';
import { LEDGER_ERRORS } from '../domain/ledger.errors';

/**
 * The errors that decide where a posting goes next (docs/ledger.md "Which errors take the careful
 * path"). The fast path assumes every group passes; when it cannot answer exactly, its work is
 * rolled back and the careful path redoes it. Only two kinds of failure mean that:
 *
 * - FastPathDeclined: the checks in code refused a group, or an account or book is unknown;
 * - a ledger refusal by PostgreSQL (isLedgerRefusal): a trigger raised a `LEDGER.*` code, or the
 *   same entry was reversed twice at once.
 *
 * Everything else — a lost connection, a deadlock, a bug — is not the careful path's to answer: it
 * reaches the caller (after the savepoint, if one was taken, is rolled back). An error on a
 * connection that may have committed is never posted again.
 */

/** The fast path met something it does not answer itself; nothing it did may be kept. */
export class FastPathDeclined extends Error {
  constructor(reason: string) {
    super(`fast path declined: ${reason}`);
    this.name = 'FastPathDeclined';
  }
}

/**
 * Raised inside a coalesced careful transaction of several groups when a check that needs the
 * book head fails late (a period closed while the transaction waited for the head): the batch is
 * rolled back and each group is posted in a transaction of its own, which answers exactly.
 */
export class LateCheckFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LateCheckFailed';
  }
}

/** How the ledger's triggers raise their refusals: `RAISE EXCEPTION 'LEDGER.X: …' USING ERRCODE = 'P0001'`. */
const TRIGGER_REFUSAL = /^LEDGER\.[A-Z_]+: /;
const RAISE_EXCEPTION = 'P0001';
const UNIQUE_VIOLATION = '23505';
const ONE_REVERSAL_PER_ENTRY = 'ledger_entries_reversal_of';

interface DriverError {
  code?: string;
  constraint?: string;
  message?: string;
}

/**
 * A statement refused by the ledger's own rules in PostgreSQL (migration 1732400000000-ledger):
 * a trigger's `LEDGER.*` exception, or the unique index that allows one reversal per entry.
 */
export function isLedgerRefusal(error: unknown): error is QueryFailedError {
  if (!(error instanceof QueryFailedError)) return false;
  const driver = error.driverError as DriverError | undefined;
  if (driver?.code === RAISE_EXCEPTION) return TRIGGER_REFUSAL.test(driver.message ?? error.message);
  return driver?.code === UNIQUE_VIOLATION && driver.constraint === ONE_REVERSAL_PER_ENTRY;
}

/** Whether the careful path exists for this failure of the fast path (and so may redo the work). */
export function takesCarefulPath(error: unknown): boolean {
  return error instanceof FastPathDeclined || isLedgerRefusal(error);
}

/** Database refusals that have a ledger meaning become the ledger's domain errors; others are returned as they are. */
export function translateRefusal(error: unknown): unknown {
  if (error instanceof QueryFailedError) {
    const driver = error.driverError as DriverError | undefined;
    if (driver?.code === UNIQUE_VIOLATION && driver.constraint === ONE_REVERSAL_PER_ENTRY) {
      return DomainError.conflict(LEDGER_ERRORS.ALREADY_REVERSED, 'The entry has already been reversed.');
    }
  }
  return error;
}
