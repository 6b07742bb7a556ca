import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Request } from 'express';
import { REQUEST_ERRORS } from '../errors/common.errors';
import { DomainError } from '../errors/domain-error';
import { textProblem, textProblemMessage } from './request-text';

/**
 * A text/csv or text/plain body left unread by the edge for its route to read as a stream
 * (issue 10 item 5: a bank report is parsed as it arrives instead of being held whole). The same
 * rules as a buffered text body hold, checked chunk by chunk: at most `limit` bytes (413
 * REQUEST.TOO_LARGE as soon as it is passed), strict UTF-8 (a leading byte order mark dropped),
 * no NUL or control character other than tab and line breaks (400 REQUEST.INVALID_TEXT with the
 * line). The SHA-256 of the bytes is kept for the Idempotency-Key (`digest()`).
 *
 * Nothing is read until `text()` or `digest()` is called; a body never read is discarded by
 * Node when the answer ends.
 */
export class StreamedText {
  private readonly hash = createHash('sha256');
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  private received = 0;
  /** Line feeds decoded so far (for the line of a text problem). */
  private lines = 0;
  private stream: Readable | null = null;
  private ended = false;
  private failure: DomainError | null = null;
  private digestValue: string | null = null;

  constructor(
    private readonly req: Request,
    private readonly limit: number,
  ) {}

  /** Whether the whole body has been read (and passed its checks). */
  get finished(): boolean {
    return this.ended;
  }

  /** The decoded, checked text as a stream of strings (one reader; a second call returns the same stream). */
  text(): Readable {
    if (this.stream) return this.stream;
    const source = this.req;
    let started = false;
    // The request is read from the first read() on, so a refusal always finds its reader listening.
    const start = () => {
      started = true;
      source.on('data', onData);
      source.once('end', onEnd);
      source.once('error', () => fail(aborted()));
      source.once('close', () => {
        if (!source.complete) fail(aborted());
      });
    };
    const stream = new Readable({
      encoding: 'utf8',
      read: () => {
        if (!started) start();
        source.resume();
      },
      destroy: (error, callback) => {
        source.pause();
        callback(error);
      },
    });
    this.stream = stream;
    // Its readers get the refusal from their own 'error' listener (or from digest()); without one
    // an 'error' event would end the process.
    stream.on('error', () => undefined);
    const fail = (error: DomainError) => {
      if (this.failure) return;
      this.failure = error;
      source.removeListener('data', onData);
      source.pause();
      stream.destroy(error);
    };
    const onData = (chunk: Buffer) => {
      this.received += chunk.length;
      if (this.received > this.limit) return fail(this.tooLarge());
      this.hash.update(chunk);
      let piece: string;
      try {
        piece = this.decoder.decode(chunk, { stream: true });
      } catch {
        return fail(invalidUtf8());
      }
      const problem = this.check(piece);
      if (problem) return fail(problem);
      if (!stream.push(piece)) source.pause();
    };
    const onEnd = () => {
      if (this.failure) return;
      let rest: string;
      try {
        rest = this.decoder.decode();
      } catch {
        return fail(invalidUtf8());
      }
      const problem = this.check(rest);
      if (problem) return fail(problem);
      this.ended = true;
      this.digestValue = this.hash.digest('hex');
      if (rest) stream.push(rest);
      stream.push(null);
    };
    return stream;
  }

  /**
   * The SHA-256 (hex) of the whole body. Reads what is left of it (discarding the text) when its
   * reader stopped early; rejects with the body's own refusal when it broke a rule.
   */
  async digest(): Promise<string> {
    if (this.digestValue) return this.digestValue;
    if (this.failure) throw this.failure;
    const stream = this.text();
    if (!this.ended && stream.destroyed) throw this.failure ?? aborted();
    if (!this.ended) {
      await new Promise<void>((resolve, reject) => {
        stream.on('data', () => undefined);
        stream.once('end', resolve);
        stream.once('error', reject);
        stream.once('close', () => (this.ended ? resolve() : reject(this.failure ?? aborted())));
        stream.resume();
      });
    }
    if (!this.digestValue) throw this.failure ?? aborted();
    return this.digestValue;
  }

  private check(piece: string): DomainError | null {
    const problem = piece ? textProblem(piece, true) : null;
    if (!problem) {
      this.lines += countLineFeeds(piece);
      return null;
    }
    const line = this.lines + countLineFeeds(piece.slice(0, problem.index)) + 1;
    return DomainError.invalid(REQUEST_ERRORS.INVALID_TEXT, `The body contains text that is not accepted: line ${line} ${textProblemMessage(problem.code)}.`, [
      { code: problem.code, field: 'body', line, message: `line ${line} ${textProblemMessage(problem.code)}` },
    ]);
  }

  private tooLarge(): DomainError {
    return DomainError.tooLarge(REQUEST_ERRORS.TOO_LARGE, `The body is larger than ${this.limit} bytes, the limit for CSV and text bodies.`, [
      { code: 'TOO_LARGE', field: 'body', message: `at most ${this.limit} bytes`, limit: this.limit },
    ]);
  }
}

function countLineFeeds(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n += 1;
  return n;
}

function invalidUtf8(): DomainError {
  return DomainError.invalid(REQUEST_ERRORS.INVALID_TEXT, 'The body is not valid UTF-8.', [{ code: 'INVALID_UTF8', field: 'body', message: 'not valid UTF-8' }]);
}

function aborted(): DomainError {
  return DomainError.invalid(REQUEST_ERRORS.ABORTED, 'The request body was not received completely.');
}

const STREAMED = Symbol('streamedText');

/** Leaves the body of `req` to be read as a stream by its route (the edge, request-edge.ts). */
export function attachStreamedText(req: Request, limit: number): void {
  (req as unknown as Record<symbol, StreamedText>)[STREAMED] = new StreamedText(req, limit);
}

/** The streamed text body of `req`, or null when the edge read the body (or there is none). */
export function streamedTextOf(req: Request): StreamedText | null {
  return (req as unknown as Record<symbol, StreamedText | undefined>)[STREAMED] ?? null;
}
