import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Long synchronous work done in slices: a whole-book verify hashes thousands of entries, an export
 * renders thousands of spreadsheet rows, and done in one go either blocks the event loop for
 * hundreds of milliseconds on a busy machine — every other request, `/health` included, waits
 * behind it. A loop over such work checks `due` once per item (one clock read) and, when the
 * current slice is older than `sliceMs`, awaits `turn()`: one turn of the loop (timers and I/O
 * run), then the work goes on in a new slice.
 */
export class LoopTurns {
  private sliceStarted = performance.now();

  constructor(private readonly sliceMs = 10) {}

  /** Whether the current slice has used its time (the caller should `turn()`). */
  get due(): boolean {
    return performance.now() - this.sliceStarted >= this.sliceMs;
  }

  /** Resolves at once inside a slice; once the slice is used up, after one turn of the loop. */
  async turn(): Promise<void> {
    if (!this.due) return;
    await nextTurn();
    this.sliceStarted = performance.now();
  }
}
