import type { Writable } from 'node:stream';

/**
 * Waits until `out` can take more (its 'drain'), or rejects with `gone()` when it never will: the
 * stream was closed or destroyed (the client hung up), or `signal` fired; with the stream's own
 * error when it errored. Waiting for 'drain' alone on a socket whose client has gone waits for
 * ever, and a streamed export's open transaction with it (issue 10 item 5). Used by every
 * streamed export (the ledger's, the audit trail's) between chunks, so memory stays bounded.
 */
export function untilWritable(out: Writable, gone: () => Error, signal?: AbortSignal): Promise<void> {
  if (out.destroyed || out.writableEnded || out.closed) return Promise.reject(gone());
  if (signal?.aborted) return Promise.reject(gone());
  if (!out.writableNeedDrain) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const settle = (error: Error | null) => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => settle(null);
    const onError = (e: Error) => settle(e);
    const onClose = () => settle(gone());
    const onAbort = () => settle(gone());
    out.once('drain', onDrain);
    out.once('error', onError);
    out.once('close', onClose);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
