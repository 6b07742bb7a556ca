import { LoopTurns } from './loop-turns';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe('LoopTurns: long synchronous work in slices', () => {
  it('inside a slice, turn() resolves without giving the loop a turn', async () => {
    const turns = new LoopTurns(1_000);
    let ran = false;
    setImmediate(() => (ran = true));
    for (let i = 0; i < 100; i += 1) await turns.turn();
    expect(ran).toBe(false);
    expect(turns.due).toBe(false);
  });

  it('60 ms of work in 1 ms items with 10 ms slices: other callbacks run between slices, each slice at least 10 ms of work', async () => {
    const turns = new LoopTurns(10);
    const ticks: number[] = [];
    let done = false;
    const tick = () => {
      if (done) return;
      ticks.push(performance.now());
      setImmediate(tick);
    };
    setImmediate(tick);
    for (let item = 0; item < 60; item += 1) {
      busy(1);
      if (turns.due) await turns.turn();
    }
    done = true;
    // The other work ran during the loop (five or six times on an idle machine) …
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    // … and only between slices: never two turns less than a slice apart, however loaded the
    // machine (a busy machine stretches the slices; it cannot shorten them).
    const gaps = ticks.slice(1).map((t, i) => t - ticks[i]);
    expect(gaps.filter((g) => g < 9.5)).toEqual([]);
  });
});
