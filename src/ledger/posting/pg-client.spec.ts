import { EventEmitter } from 'node:events';
import { DatabaseError } from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import { triggerRefusal } from '../../../test/support/pg-errors';
import { NamedStatement, PgClient, preparedQuerier, withPooledConnection } from './pg-client';
import { FastPathDeclined } from './posting.errors';

const STATEMENT: NamedStatement = { name: 'ledger_test_v1', text: 'SELECT 42 /* the fast statement */' };

/** A pooled connection as pg lends it: an event emitter with query(); `answer` decides each query's outcome. */
class FakeClient extends EventEmitter implements PgClient {
  readonly queries: { name?: string; text: string }[] = [];
  constructor(private readonly answer: (config: { name?: string; text: string }) => unknown[] | Error = () => [{ ok: 1 }]) {
    super();
  }
  async query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: unknown[] }> {
    this.queries.push({ name: config.name, text: config.text });
    const result = this.answer(config);
    if (result instanceof Error) throw result;
    return { rows: result };
  }
}

function pool(client: FakeClient) {
  const releases: (Error | undefined)[] = [];
  const listenersWhileHeld: number[] = [];
  const dataSource = {
    driver: {
      obtainMasterConnection: async () => [client, (error?: Error) => releases.push(error)],
    },
  } as unknown as DataSource;
  return { dataSource, releases, listenersWhileHeld };
}

function fatal(code: string, message: string): DatabaseError {
  return Object.assign(new DatabaseError(message, message.length, 'error'), { code, severity: 'FATAL' });
}

describe('a connection taken aside for a lone entry (issue #10 item 3)', () => {
  it('has an error listener while held and none of ours after; released without an error when the work succeeds', async () => {
    const client = new FakeClient();
    const p = pool(client);
    const rows = await withPooledConnection(p.dataSource, STATEMENT, async (q) => {
      p.listenersWhileHeld.push(client.listenerCount('error'));
      return q(STATEMENT.text);
    });
    expect(rows).toEqual([{ ok: 1 }]);
    expect(p.listenersWhileHeld).toEqual([1]);
    expect(client.listenerCount('error')).toBe(0);
    expect(p.releases).toEqual([undefined]);
  });

  it('an error emitted while held (the server process terminated) does not end the process, and the connection is released with it', async () => {
    const client = new FakeClient(() => new Error('Connection terminated unexpectedly'));
    const p = pool(client);
    const terminated = new Error('terminating connection due to administrator command');
    const error = await withPooledConnection(p.dataSource, STATEMENT, async (q) => {
      client.emit('error', terminated); // would throw (ERR_UNHANDLED_ERROR) without a listener
      return q(STATEMENT.text);
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(p.releases).toEqual([terminated]);
  });

  it('a lost connection during the query: the error reaches the caller and the connection is released with it (the pool discards it)', async () => {
    const p = pool(new FakeClient(() => new Error('Connection terminated unexpectedly')));
    const error = await withPooledConnection(p.dataSource, STATEMENT, (q) => q(STATEMENT.text)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(p.releases).toEqual([error]);
  });

  it('a FATAL answer (57P01, the server process terminated mid-query) also discards the connection', async () => {
    const p = pool(new FakeClient(() => fatal('57P01', 'terminating connection due to administrator command')));
    const error = await withPooledConnection(p.dataSource, STATEMENT, (q) => q(STATEMENT.text)).catch((e: unknown) => e);
    expect(p.releases).toEqual([error]);
  });

  it('a bug after the query discards the connection too (its state is not known)', async () => {
    const p = pool(new FakeClient());
    const bug = new TypeError('x is undefined');
    await expect(
      withPooledConnection(p.dataSource, STATEMENT, async (q) => {
        await q(STATEMENT.text);
        throw bug;
      }),
    ).rejects.toBe(bug);
    expect(p.releases).toEqual([bug]);
  });

  it('a refusal the server answered, or the fast path declining, keeps the connection: released without an error', async () => {
    const refusal = triggerRefusal();
    const p = pool(new FakeClient(() => refusal.driverError as Error));
    const error = await withPooledConnection(p.dataSource, STATEMENT, (q) => q(STATEMENT.text)).catch((e: unknown) => e);
    expect((error as QueryFailedError).driverError).toBe(refusal.driverError);
    await expect(
      withPooledConnection(p.dataSource, STATEMENT, async () => {
        throw new FastPathDeclined('unknown book');
      }),
    ).rejects.toBeInstanceOf(FastPathDeclined);
    expect(p.releases).toEqual([undefined, undefined]);
  });
});

describe('preparedQuerier', () => {
  it('runs the statement named, other SQL unnamed; errors come back as QueryFailedError', async () => {
    const client = new FakeClient((c) => (c.text === 'bad' ? new Error('syntax error') : []));
    const q = preparedQuerier(client, STATEMENT);
    await q(STATEMENT.text, [1]);
    await q('SELECT 1');
    await expect(q('bad')).rejects.toBeInstanceOf(QueryFailedError);
    expect(client.queries.map((c) => c.name)).toEqual(['ledger_test_v1', undefined, undefined]);
  });

  it('on the embedded server, a name already taken (42P05) makes that connection run the statement unnamed from then on, its errors wrapped too', async () => {
    let calls = 0;
    const client = new FakeClient((c) => {
      calls += 1;
      if (c.name) return Object.assign(new Error('prepared statement "ledger_test_v1" already exists'), { code: '42P05' });
      return calls === 2 ? [{ ok: 1 }] : (triggerRefusal().driverError as Error);
    });
    const q = preparedQuerier(client, STATEMENT);
    expect(await q(STATEMENT.text)).toEqual([{ ok: 1 }]);
    const refusal = await q(STATEMENT.text).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(QueryFailedError);
    expect(client.queries.map((c) => c.name)).toEqual(['ledger_test_v1', undefined, undefined]);
  });
});
