import { DomainError } from '../../common/errors/domain-error';
import { connectionLost, deadlock, reversedTwice, triggerRefusal } from '../../../test/support/pg-errors';
import { BatchWriter, GroupCommit } from './group-commit';
import { FastPathDeclined, LateCheckFailed } from './posting.errors';
import { Group, GroupCommitOptions, GroupResult, PostedEntry, Prepared, WritePath } from './posting.types';

function groupOf(id: string, entries = 1, memo = ''): Group {
  return { items: Array.from({ length: entries }, (_, i) => ({ index: i, id: `${id}.${i}`, book: 'reserve', memo }) as Prepared), indexed: entries > 1 };
}

function postedOf(g: Group): PostedEntry[] {
  return g.items.map((item) => ({ id: item.id }) as PostedEntry);
}

const refusalOf = (g: Group) => new DomainError('LEDGER.FLOOR_BREACH', 'rule', `refused ${g.items[0].id}`);

type Call = { path: 'autocommit' | WritePath; groups: string[] };

/**
 * A writer that records every call and answers from `answer` (which may throw); by default every
 * path posts every group.
 */
function recordingWriter(answer: (path: Call['path'], groups: Group[], call: number) => GroupResult[]): { writer: BatchWriter; calls: Call[] } {
  const calls: Call[] = [];
  const record = async (path: Call['path'], groups: Group[]) => {
    calls.push({ path, groups: groups.map((g) => g.items[0].id) });
    return answer(path, groups, calls.length);
  };
  return {
    calls,
    writer: {
      // As the service's rule does for these tests' groups: a lone entry autocommits; several groups autocommit when marked so.
      autocommits: (groups) => (groups.length === 1 && groups[0].items.length === 1) || groups.every((g) => g.items[0].memo === 'autocommits'),
      autocommit: (groups) => record('autocommit', groups),
      inTransaction: (groups, path) => record(path, groups),
    },
  };
}

/** Queues the groups while nothing may start, then lets one batch start: they are coalesced into it. */
async function runCoalesced(commit: GroupCommit, options: GroupCommitOptions, groups: Group[]) {
  options.maxInFlight = 0;
  const first = groups.slice(0, -1).map((g) => commit.enqueue(g));
  options.maxInFlight = 1;
  const all = [...first, commit.enqueue(groups[groups.length - 1])];
  return Promise.allSettled(all);
}

describe('group commit: where each failure goes', () => {
  let options: GroupCommitOptions;
  const warnings: string[] = [];
  beforeEach(() => {
    options = { maxBatch: 500, maxInFlight: 2, autocommitBatches: true };
    warnings.length = 0;
  });

  describe('a lone entry (autocommitted fast statement)', () => {
    it('a ledger trigger refused it (nothing written) → the careful path answers exactly', async () => {
      const g = groupOf('a');
      const { writer, calls } = recordingWriter((path) => {
        if (path === 'autocommit') throw triggerRefusal();
        return [refusalOf(g)];
      });
      await expect(new GroupCommit(options, writer, (m) => warnings.push(m)).enqueue(g)).rejects.toMatchObject({ code: 'LEDGER.FLOOR_BREACH', message: 'refused a.0' });
      expect(calls).toEqual([
        { path: 'autocommit', groups: ['a.0'] },
        { path: 'careful', groups: ['a.0'] },
      ]);
    });

    it('an unknown book (the statement wrote nothing, FastPathDeclined) → the careful path answers', async () => {
      const g = groupOf('a');
      const { writer, calls } = recordingWriter((path) => {
        if (path === 'autocommit') throw new FastPathDeclined('unknown book');
        return [postedOf(g)];
      });
      await expect(new GroupCommit(options, writer, (m) => warnings.push(m)).enqueue(g)).resolves.toEqual(postedOf(g));
      expect(calls.map((c) => c.path)).toEqual(['autocommit', 'careful']);
    });

    it.each([
      ['a lost connection (it may have committed)', connectionLost()],
      ['a plain Error (a bug)', new Error('undefined is not a function')],
      ['a deadlock', deadlock()],
    ])('%s → reaches the caller, never posted again', async (_what, error) => {
      const { writer, calls } = recordingWriter(() => {
        throw error;
      });
      await expect(new GroupCommit(options, writer, (m) => warnings.push(m)).enqueue(groupOf('a'))).rejects.toBe(error);
      expect(calls.map((c) => c.path)).toEqual(['autocommit']);
    });
  });

  describe('several calls that may autocommit (one book, no account moved both ways: fast-path.ts autocommitSafe)', () => {
    it('are written by one autocommitted statement, and every caller gets its entries', async () => {
      const groups = [groupOf('a', 1, 'autocommits'), groupOf('b', 2, 'autocommits'), groupOf('c', 1, 'autocommits')];
      const { writer, calls } = recordingWriter((_path, gs) => gs.map(postedOf));
      const results = await runCoalesced(new GroupCommit(options, writer, (m) => warnings.push(m)), options, groups);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      expect(calls).toEqual([{ path: 'autocommit', groups: ['a.0', 'b.0', 'c.0'] }]);
    });

    it('a ledger trigger refused the statement (nothing written) → the careful path: the refused call fails alone, the others commit', async () => {
      const groups = [groupOf('a', 1, 'autocommits'), groupOf('b', 1, 'autocommits'), groupOf('c', 1, 'autocommits')];
      const { writer, calls } = recordingWriter((path, gs) => {
        if (path === 'autocommit') throw triggerRefusal();
        return gs.map((g) => (g.items[0].id === 'b.0' ? refusalOf(g) : postedOf(g)));
      });
      const results = await runCoalesced(new GroupCommit(options, writer, (m) => warnings.push(m)), options, groups);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(calls.map((c) => c.path)).toEqual(['autocommit', 'careful']);
    });

    it('a lost connection (it may have committed) → every caller gets it; never posted again', async () => {
      const lost = connectionLost();
      const { writer, calls } = recordingWriter(() => {
        throw lost;
      });
      const results = await runCoalesced(new GroupCommit(options, writer, (m) => warnings.push(m)), options, [groupOf('a', 1, 'autocommits'), groupOf('b', 1, 'autocommits')]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(calls.map((c) => c.path)).toEqual(['autocommit']);
    });
  });

  describe('a coalesced transaction of several calls', () => {
    it('coalesces queued groups into one transaction, and every caller gets its entries', async () => {
      const groups = [groupOf('a'), groupOf('b', 3), groupOf('c')];
      const { writer, calls } = recordingWriter((_path, gs) => gs.map(postedOf));
      const commit = new GroupCommit(options, writer, (m) => warnings.push(m));
      const results = await runCoalesced(commit, options, groups);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      expect(calls).toEqual([{ path: 'fast', groups: ['a.0', 'b.0', 'c.0'] }]);
    });

    it.each([
      ['the checks in code refused a group (FastPathDeclined)', new FastPathDeclined('a group is refused')],
      ['a ledger trigger refused the statement', triggerRefusal()],
    ])('%s → the careful path: the refused call fails alone, the others commit', async (_what, error) => {
      const groups = [groupOf('a'), groupOf('b'), groupOf('c')];
      const { writer, calls } = recordingWriter((path, gs) => {
        if (path === 'fast') throw error;
        return gs.map((g) => (g.items[0].id === 'b.0' ? refusalOf(g) : postedOf(g)));
      });
      const results = await runCoalesced(new GroupCommit(options, writer, (m) => warnings.push(m)), options, groups);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(((results[1] as PromiseRejectedResult).reason as DomainError).message).toBe('refused b.0');
      expect(calls.map((c) => c.path)).toEqual(['fast', 'careful']);
    });

    it.each([
      ['a lost connection (the COMMIT may have gone through)', connectionLost()],
      ['a plain Error (a bug)', new Error('undefined is not a function')],
      ['a deadlock', deadlock()],
    ])('%s on the fast path → every caller of the batch gets it; NOT retried on the careful path', async (_what, error) => {
      const { writer, calls } = recordingWriter(() => {
        throw error;
      });
      const results = await runCoalesced(new GroupCommit(options, writer, (m) => warnings.push(m)), options, [groupOf('a'), groupOf('b')]);
      expect(results).toEqual([
        { status: 'rejected', reason: error },
        { status: 'rejected', reason: error },
      ]);
      expect(calls.map((c) => c.path)).toEqual(['fast']);
    });

    it('a period closed while waiting for the head (LateCheckFailed) → one transaction per call, without a warning', async () => {
      const groups = [groupOf('a'), groupOf('b')];
      const { writer, calls } = recordingWriter((path, gs) => {
        if (path === 'fast') throw triggerRefusal('LEDGER.CLOSED_PERIOD', 'closed');
        if (gs.length > 1) throw new LateCheckFailed('closed');
        return gs.map(postedOf);
      });
      const results = await runCoalesced(new GroupCommit(options, writer, (m) => warnings.push(m)), options, groups);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
      expect(calls).toEqual([
        { path: 'fast', groups: ['a.0', 'b.0'] },
        { path: 'careful', groups: ['a.0', 'b.0'] },
        { path: 'careful', groups: ['a.0'] },
        { path: 'careful', groups: ['b.0'] },
      ]);
      expect(warnings).toEqual([]);
    });

    it('a refusal only the database saw on the careful batch (a double reversal) → one by one, each caller its own answer, with a warning', async () => {
      const groups = [groupOf('a'), groupOf('b')];
      const { writer } = recordingWriter((path, gs) => {
        if (path === 'fast' || gs.length > 1 || gs[0].items[0].id === 'b.0') throw reversedTwice();
        return gs.map(postedOf);
      });
      const results = await runCoalesced(new GroupCommit(options, writer, (m) => warnings.push(m)), options, groups);
      expect(results[0].status).toBe('fulfilled');
      expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'LEDGER.ALREADY_REVERSED' });
      expect(warnings).toHaveLength(1);
    });

    it('a lost connection on the careful batch → every caller gets it; no one-by-one re-run', async () => {
      const lost = connectionLost();
      const { writer, calls } = recordingWriter((path) => {
        if (path === 'fast') throw new FastPathDeclined('a group is refused');
        throw lost;
      });
      const results = await runCoalesced(new GroupCommit(options, writer, (m) => warnings.push(m)), options, [groupOf('a'), groupOf('b')]);
      expect(results).toEqual([
        { status: 'rejected', reason: lost },
        { status: 'rejected', reason: lost },
      ]);
      expect(calls.map((c) => c.path)).toEqual(['fast', 'careful']);
    });
  });

  it('takes whole groups up to maxBatch entries per transaction; a larger group goes alone', async () => {
    options.maxBatch = 4;
    const groups = [groupOf('a', 2), groupOf('b', 2), groupOf('c', 1), groupOf('d', 9)];
    const { writer, calls } = recordingWriter((_path, gs) => gs.map(postedOf));
    const commit = new GroupCommit(options, writer, (m) => warnings.push(m));
    options.maxInFlight = 0;
    const pending = groups.map((g) => commit.enqueue(g));
    options.maxInFlight = 1;
    pending.push(commit.enqueue(groupOf('e')));
    await Promise.all(pending);
    expect(calls.map((c) => c.groups)).toEqual([['a.0', 'b.0'], ['c.0'], ['d.0'], ['e.0']]);
  });
});
