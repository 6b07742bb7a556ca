import { DomainError } from '../errors/domain-error';
import { HeavyReadGate } from './heavy-reads';

describe('heavy-read gate (issue 10 item 5)', () => {
  const never = () => new AbortController().signal;

  it('runs at most maxRunning at once, queues the next in order, refuses beyond the queue with SERVICE.BUSY', async () => {
    const gate = new HeavyReadGate({ maxRunning: 2, maxWaiting: 1, maxWaitMs: 10_000, abandonedGraceMs: 1_000 });
    const a = await gate.acquire(never());
    const b = await gate.acquire(never());
    const c = gate.acquire(never());
    await expect(gate.acquire(never())).rejects.toMatchObject({ code: 'SERVICE.BUSY', kind: 'unavailable' });
    expect(gate.stats).toEqual({ running: 2, waiting: 1 });
    a();
    a(); // releasing twice frees one slot only
    const release = await c;
    expect(gate.stats).toEqual({ running: 2, waiting: 0 });
    b();
    release();
    expect(gate.stats).toEqual({ running: 0, waiting: 0 });
  });

  it('drops a waiter whose client went away, and one that waited too long', async () => {
    jest.useFakeTimers();
    try {
      const gate = new HeavyReadGate({ maxRunning: 1, maxWaiting: 5, maxWaitMs: 1_000, abandonedGraceMs: 1_000 });
      const hold = await gate.acquire(never());
      const gone = new AbortController();
      const left = gate.acquire(gone.signal);
      gone.abort();
      await expect(left).rejects.toBeInstanceOf(DomainError);
      const slow = gate.acquire(never());
      jest.advanceTimersByTime(1_001);
      await expect(slow).rejects.toMatchObject({ code: 'SERVICE.BUSY' });
      expect(gate.stats).toEqual({ running: 1, waiting: 0 });
      hold();
      expect(gate.stats.running).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
