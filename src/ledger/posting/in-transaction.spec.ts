import { DomainError } from '../../common/errors/domain-error';
import { connectionLost, deadlock, reversedTwice, triggerRefusal } from '../../../test/support/pg-errors';
import { postInSavepoint, TransactionWrite } from './in-transaction';
import { FastPathDeclined } from './posting.errors';
import { Group, GroupResult, PostedEntry, Prepared, WritePath } from './posting.types';

const group: Group = { items: [{ index: 0, id: 'e1', book: 'reserve' } as Prepared], indexed: false };
const posted = [{ id: 'e1', sequence: 7 }] as PostedEntry[];
const floorBreach = new DomainError('LEDGER.FLOOR_BREACH', 'rule', 'The entry would take an account below its floor: reserve:deposit:BANK01 (balance 10.00, floor 0.00).');

/** Records the statements the savepoint logic sends, and which paths were written. */
function harness(fast: () => Promise<GroupResult[]>, careful: () => Promise<GroupResult[]> = async () => [posted]) {
  const sql: string[] = [];
  const paths: WritePath[] = [];
  const q = async (text: string) => {
    sql.push(text);
    return [];
  };
  const write: TransactionWrite = (_q, _groups, path) => {
    paths.push(path);
    return path === 'fast' ? fast() : careful();
  };
  return { sql, paths, run: () => postInSavepoint(q, group, 'sp', write) };
}

describe('posting in the caller’s transaction: what the savepoint does with each failure', () => {
  it('the fast path succeeds: one savepoint, released; no careful path', async () => {
    const h = harness(async () => [posted]);
    await expect(h.run()).resolves.toBe(posted);
    expect(h.paths).toEqual(['fast']);
    expect(h.sql).toEqual(['SAVEPOINT sp', 'RELEASE SAVEPOINT sp']);
  });

  it.each([
    ['the checks in code refused a group (FastPathDeclined)', new FastPathDeclined('a group is refused')],
    ['a ledger trigger refused the statement (P0001 LEDGER.*)', triggerRefusal()],
  ])('%s → back to the savepoint, and the careful path answers exactly', async (_what, error) => {
    const h = harness(
      async () => {
        throw error;
      },
      async () => [floorBreach],
    );
    await expect(h.run()).rejects.toBe(floorBreach);
    expect(h.paths).toEqual(['fast', 'careful']);
    expect(h.sql).toEqual(['SAVEPOINT sp', 'ROLLBACK TO SAVEPOINT sp', 'ROLLBACK TO SAVEPOINT sp']);
  });

  it('a refusal the careful path accepts after all (balances moved): its entries are the answer', async () => {
    const h = harness(async () => {
      throw triggerRefusal();
    });
    await expect(h.run()).resolves.toBe(posted);
    expect(h.sql).toEqual(['SAVEPOINT sp', 'ROLLBACK TO SAVEPOINT sp', 'RELEASE SAVEPOINT sp']);
  });

  it.each([
    ['a plain Error (a bug)', new Error('undefined is not a function')],
    ['a lost connection', connectionLost()],
    ['a deadlock (the caller retries the whole transaction)', deadlock()],
  ])('%s → NOT retried on the careful path: the savepoint is rolled back and the error reaches the caller', async (_what, error) => {
    const h = harness(async () => {
      throw error;
    });
    await expect(h.run()).rejects.toBe(error);
    expect(h.paths).toEqual(['fast']);
    expect(h.sql).toEqual(['SAVEPOINT sp', 'ROLLBACK TO SAVEPOINT sp']);
  });

  it('the same entry reversed twice at once: careful path, whose unique violation becomes 409 LEDGER.ALREADY_REVERSED', async () => {
    const h = harness(
      async () => {
        throw reversedTwice();
      },
      async () => {
        throw reversedTwice();
      },
    );
    await expect(h.run()).rejects.toMatchObject({ code: 'LEDGER.ALREADY_REVERSED', kind: 'conflict' });
    expect(h.paths).toEqual(['fast', 'careful']);
  });

  it('a non-refusal on the careful path reaches the caller too, after the savepoint is rolled back', async () => {
    const lost = connectionLost();
    const h = harness(
      async () => {
        throw new FastPathDeclined('unknown account or book');
      },
      async () => {
        throw lost;
      },
    );
    await expect(h.run()).rejects.toBe(lost);
    expect(h.sql).toEqual(['SAVEPOINT sp', 'ROLLBACK TO SAVEPOINT sp', 'ROLLBACK TO SAVEPOINT sp']);
  });
});
