import { QueryFailedError } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error';
import { LEDGER_ERRORS } from '../domain/ledger.errors';

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

const UNIQUE_VIOLATION = '23505';
const ONE_REVERSAL_PER_ENTRY = 'ledger_entries_reversal_of';

interface DriverError {
  code?: string;
  constraint?: string;
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
