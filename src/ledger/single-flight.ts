import { DomainError } from '../common/errors/domain-error';
import { REQUEST_ERRORS } from '../common/errors/common.errors';

interface Flight<T> {
  result: Promise<T>;
  controller: AbortController;
  callers: number;
}

/**
 * One run per key at a time, shared by every caller that asks while it runs (issue 10 item 5:
 * 25 concurrent `verify` calls on one book walk it once, not 25 times). Each caller passes its
 * own AbortSignal (its client went away): a caller that leaves stops waiting at once, and the run
 * itself is aborted when its last caller has left, so nobody's work goes on for nobody.
 *
 * Example: A asks for "reserve" (the run starts), B asks while it runs (joins), A hangs up (the
 * run goes on for B), B hangs up (the run's signal fires; the run stops between batches).
 */
export class SingleFlight<T> {
  private readonly flights = new Map<string, Flight<T>>();

  /** Keys with a run in progress. */
  get running(): string[] {
    return [...this.flights.keys()];
  }

  /**
   * Joins the run for the first of `keys` that is in progress, or starts `work` under `keys[0]`.
   * (A caller that can use more than one kind of run lists them in order of preference.)
   */
  run(keys: readonly string[], signal: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (signal?.aborted) return Promise.reject(aborted());
    // A run whose callers have all left is winding down: it is not joined.
    let flight = keys.map((k) => this.flights.get(k)).find((f) => f !== undefined && !f.controller.signal.aborted);
    if (!flight) {
      const key = keys[0];
      const controller = new AbortController();
      const started: Flight<T> = { controller, callers: 0, result: Promise.resolve().then(() => work(controller.signal)) };
      started.result
        .finally(() => {
          if (this.flights.get(key) === started) this.flights.delete(key);
        })
        .catch(() => undefined);
      this.flights.set(key, started);
      flight = started;
    }
    const joined = flight;
    joined.callers += 1;
    if (!signal) return joined.result.finally(() => (joined.callers -= 1));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const leave = () => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        joined.callers -= 1;
      };
      const onAbort = () => {
        if (settled) return;
        leave();
        if (joined.callers === 0) joined.controller.abort();
        reject(aborted());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      joined.result.then(
        (value) => {
          if (settled) return;
          leave();
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          leave();
          reject(error);
        },
      );
    });
  }
}

function aborted(): DomainError {
  return DomainError.invalid(REQUEST_ERRORS.ABORTED, 'The client went away; the read was stopped.');
}
