import { Writable } from 'node:stream';
import { DomainError } from '../errors/domain-error';
import { REQUEST_ERRORS } from '../errors/common.errors';
import { untilWritable as waitFor } from './until-writable';

const gone = () => DomainError.invalid(REQUEST_ERRORS.ABORTED, 'The client went away.');
const untilWritable = (w: Writable, signal?: AbortSignal) => waitFor(w, gone, signal);

/** A writable whose buffer is full until the test lets it drain. */
function fullStream(): Writable & { release: () => void } {
  let pending: (() => void) | null = null;
  const w = new Writable({
    highWaterMark: 4,
    write(_chunk, _enc, cb) {
      pending = cb;
    },
  }) as Writable & { release: () => void };
  w.release = () => pending?.();
  w.write('0123456789');
  return w;
}

describe('untilWritable (an export waits for its client, and stops when the client has gone: issue 10 item 5)', () => {
  it('resolves on drain', async () => {
    const w = fullStream();
    expect(w.writableNeedDrain).toBe(true);
    const waiting = untilWritable(w);
    w.release();
    await expect(waiting).resolves.toBeUndefined();
  });

  it('rejects with REQUEST.ABORTED when the stream is destroyed (the client hung up) instead of waiting for a drain that never comes', async () => {
    const w = fullStream();
    const waiting = untilWritable(w);
    w.destroy();
    await expect(waiting).rejects.toMatchObject({ code: 'REQUEST.ABORTED' });
    await expect(untilWritable(w)).rejects.toMatchObject({ code: 'REQUEST.ABORTED' });
  });

  it('rejects when the request signal fires', async () => {
    const w = fullStream();
    const left = new AbortController();
    const waiting = untilWritable(w, left.signal);
    left.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'REQUEST.ABORTED' });
    w.destroy();
  });

  it('rejects with the stream error', async () => {
    const w = fullStream();
    const waiting = untilWritable(w);
    w.destroy(new Error('socket hang up'));
    await expect(waiting).rejects.toThrow(/socket hang up|ABORTED|went away/);
  });
});
