import { SingleFlight } from './single-flight';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('SingleFlight (one verify per book, shared by concurrent callers)', () => {
  it('callers who ask while a run is in progress share it; the next call after it ends starts a new one', async () => {
    const flights = new SingleFlight<number>();
    const gate = deferred<number>();
    let runs = 0;
    const work = () => {
      runs += 1;
      return gate.promise;
    };
    const calls = Array.from({ length: 25 }, () => flights.run(['reserve'], undefined, work));
    expect(flights.running).toEqual(['reserve']);
    gate.resolve(42);
    expect(await Promise.all(calls)).toEqual(Array(25).fill(42));
    expect(runs).toBe(1);
    expect(flights.running).toEqual([]);
    await flights.run(['reserve'], undefined, async () => (runs += 1));
    expect(runs).toBe(2);
  });

  it('joins the first key in progress in order of preference, else starts under the first', async () => {
    const flights = new SingleFlight<string>();
    const full = deferred<string>();
    const a = flights.run(['b:full'], undefined, () => full.promise);
    const b = flights.run(['b:incremental', 'b:full'], undefined, async () => 'incremental');
    full.resolve('full');
    expect(await Promise.all([a, b])).toEqual(['full', 'full']);
  });

  it('a caller that leaves is answered REQUEST.ABORTED at once; the run is aborted only when its last caller has left', async () => {
    const flights = new SingleFlight<string>();
    let runSignal: AbortSignal | undefined;
    const gate = deferred<string>();
    const one = new AbortController();
    const two = new AbortController();
    const first = flights.run(['k'], one.signal, (s) => {
      runSignal = s;
      return gate.promise;
    });
    const second = flights.run(['k'], two.signal, () => gate.promise);
    one.abort();
    await expect(first).rejects.toMatchObject({ code: 'REQUEST.ABORTED' });
    await Promise.resolve();
    expect(runSignal?.aborted).toBe(false);
    two.abort();
    await expect(second).rejects.toMatchObject({ code: 'REQUEST.ABORTED' });
    expect(runSignal?.aborted).toBe(true);
    // A run winding down after its callers left is not joined: a new caller starts afresh.
    const third = flights.run(['k'], undefined, async () => 'fresh');
    expect(await third).toBe('fresh');
    gate.resolve('late');
  });

  it('a caller whose client has already gone gets REQUEST.ABORTED without starting anything', async () => {
    const flights = new SingleFlight<number>();
    const gone = new AbortController();
    gone.abort();
    let runs = 0;
    await expect(flights.run(['k'], gone.signal, async () => ++runs)).rejects.toMatchObject({ code: 'REQUEST.ABORTED' });
    expect(runs).toBe(0);
  });
});
