import { DomainError } from '../../common/errors/domain-error';
import { FastPathDeclined, LateCheckFailed, isLedgerRefusal, takesCarefulPath, translateRefusal } from './posting.errors';
import { connectionLost, deadlock, reversedTwice, serverError, triggerRefusal } from '../../../test/support/pg-errors';

describe('which errors take the careful path (docs/ledger.md "Which errors take the careful path")', () => {
  it.each([
    ['a trigger refusal (LEDGER.FLOOR_BREACH, P0001)', triggerRefusal()],
    ['a trigger refusal (LEDGER.UNBALANCED, P0001)', triggerRefusal('LEDGER.UNBALANCED', 'entry 7 of book reserve declares 2 lines but has 1')],
    ['a trigger refusal (LEDGER.CLOSED_PERIOD, P0001)', triggerRefusal('LEDGER.CLOSED_PERIOD', 'book reserve is closed through 2025-03-31; an entry is dated 2025-03-01')],
    ['the same entry reversed twice at once (23505 on ledger_entries_reversal_of)', reversedTwice()],
    ['the fast path declining', new FastPathDeclined('a group is refused')],
  ])('%s → careful path', (_what, error) => expect(takesCarefulPath(error)).toBe(true));

  it.each([
    ['a lost connection', connectionLost()],
    ['a deadlock (40P01: the caller may retry the whole transaction)', deadlock()],
    ['a serialization failure (40001)', serverError('40001', 'could not serialize access due to concurrent update')],
    ['another unique violation', serverError('23505', 'duplicate key value violates unique constraint "ledger_entries_pkey"', { constraint: 'ledger_entries_pkey' })],
    ['P0001 raised by something other than the ledger', serverError('P0001', 'CLAIM.SOMETHING: not the ledger')],
    ['P0001 without a code', serverError('P0001', 'LEDGER.FLOOR_BREACH without the colon')],
    ['a plain Error (a bug)', new Error('undefined is not a function')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a late check (handled by the group commit, not by the fast path)', new LateCheckFailed('closed')],
    ['a domain refusal thrown as such', new DomainError('LEDGER.FLOOR_BREACH', 'rule', 'below floor')],
    ['not an Error at all', 'boom'],
  ])('%s → not the careful path', (_what, error) => expect(takesCarefulPath(error)).toBe(false));

  it('isLedgerRefusal is the database half: a trigger refusal or the double reversal, nothing else', () => {
    expect(isLedgerRefusal(triggerRefusal())).toBe(true);
    expect(isLedgerRefusal(reversedTwice())).toBe(true);
    expect(isLedgerRefusal(new FastPathDeclined('x'))).toBe(false);
    expect(isLedgerRefusal(connectionLost())).toBe(false);
  });

  it('translateRefusal: the double reversal becomes 409 LEDGER.ALREADY_REVERSED; anything else is returned as it is', () => {
    const translated = translateRefusal(reversedTwice()) as DomainError;
    expect(translated).toBeInstanceOf(DomainError);
    expect({ code: translated.code, kind: translated.kind, message: translated.message }).toEqual({
      code: 'LEDGER.ALREADY_REVERSED',
      kind: 'conflict',
      message: 'The entry has already been reversed.',
    });
    const other = triggerRefusal();
    expect(translateRefusal(other)).toBe(other);
    const lost = connectionLost();
    expect(translateRefusal(lost)).toBe(lost);
  });
});
