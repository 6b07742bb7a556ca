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

  it('60 ms of work in 1 ms items with 10 ms slices: other callbacks run between slices, not only at the end', async () => {
    const turns = new LoopTurns(10);
    const ranAt: number[] = [];
    let item = 0;
    const tick = () => {
      ranAt.push(item);
      if (item < 60) setImmediate(tick);
    };
    setImmediate(tick);
    for (; item < 60; item += 1) {
      busy(1);
      await turns.turn();
    }
    // About one turn per 10 items (five or six on an idle machine): the other work ran during the
    // loop, and not after every item (a slow machine stretches items, so the bounds are loose).
    const during = ranAt.filter((i) => i < 60);
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(during.length).toBeLessThanOrEqual(30);
  });
});
