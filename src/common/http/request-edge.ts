import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DomainError, ErrorDetail } from '../errors/domain-error';
import { MAX_JSON_DEPTH, jsonNestsDeeperThan, jsonProblems, textProblem, textProblemMessage } from './request-text';
import { ACCESS_ERRORS, REQUEST_ERRORS } from '../errors/common.errors';
import { AuthedRequest, RESOLVED_TOKEN } from '../access/principal';
import { attachStreamedText } from './streamed-text';

/**
 * The edge of the service: Express middleware that runs before the router, in this order
 * (src/bootstrap.ts, docs/reliability.md "Limits"):
 *
 * 1. {@link checkRequestTarget}: every path segment and query value is valid Unicode without
 *    control characters (a `%00` in a path parameter is a 400, not a PostgreSQL error);
 * 2. {@link authenticateBeforeBody}: a request that carries a body must present a known bearer
 *    token before a byte of the body is read;
 * 3. {@link readBody}: JSON and CSV/plain-text bodies are read up to a stated size (413 above it,
 *    refused from `Content-Length` before reading when it is declared), decoded as strict UTF-8,
 *    checked for depth before parsing, then for forbidden keys and bad text. The text body of a
 *    route that streams it (the bank-report upload) is left for the route to read under the
 *    same rules (streamed-text.ts).
 *
 * Every refusal is a DomainError passed to `next`, so the one HTTP error filter answers it in the
 * API.md shape.
 */

export interface BodyLimits {
  /** Largest JSON body, in bytes. */
  jsonBytes: number;
  /**
   * Largest text/csv or text/plain body, in bytes, for a route that reads it as a stream
   * (`streamsText`); a text body read whole for any other route is held to `jsonBytes` as well.
   */
  textBytes: number;
  /** The routes that read their text body as a stream (streamed-text.ts): the bank-report upload. */
  streamsText?: (req: Request) => boolean;
  /**
   * POST routes (matched on the path) that read uploaded files themselves: there, text/csv,
   * text/plain, application/octet-stream and multipart/form-data bodies are kept as the raw bytes
   * (a Buffer in `req.body`, held to the same limit as any body read whole) in any charset, and
   * the route decodes them (bank statements come in GBK as often as UTF-8; docs/reconciliation.md).
   */
  rawPaths?: readonly RegExp[];
}

/** Whether the request carries a body (as `type-is` decides: a length other than 0, or chunked). */
export function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * A refusal sent before the body was read: above 64 KiB (or of unknown length) the connection is
 * closed after the answer instead of reading and discarding the rest of the upload.
 */
function refuseUnread(req: Request, res: Response, next: NextFunction, error: DomainError): void {
  const length = Number(req.headers['content-length'] ?? NaN);
  if (!(length <= 64 * 1024)) res.setHeader('Connection', 'close');
  next(error);
}

function invalidText(field: string, code: string, message: string): DomainError {
  return DomainError.invalid(REQUEST_ERRORS.INVALID_TEXT, `The request contains text that is not accepted: ${message}.`, [{ field, code, message }]);
}

/** Checks path segments and query values (strict: no tab or line break either). */
export function checkRequestTarget(): RequestHandler {
  return (req, _res, next) => {
    for (const segment of req.path.split('/')) {
      let decoded = segment;
      if (segment.includes('%')) {
        try {
          decoded = decodeURIComponent(segment);
        } catch {
          return next(invalidText('path', 'MALFORMED_ESCAPE', 'the path has a malformed percent-escape or is not UTF-8'));
        }
      }
      const p = textProblem(decoded, false);
      if (p) return next(invalidText('path', p.code, `a path segment ${textProblemMessage(p.code)}`));
    }
    const problem = queryProblem(req.query);
    if (problem) return next(problem);
    next();
  };
}

/** Query values after parsing (strings, arrays, objects with the extended parser), iteratively. */
function queryProblem(query: unknown): DomainError | null {
  const stack: { value: unknown; field: string; depth: number }[] = [{ value: query, field: '', depth: 0 }];
  while (stack.length) {
    const { value, field, depth } = stack.pop() as { value: unknown; field: string; depth: number };
    if (typeof value === 'string') {
      const p = textProblem(value, false);
      if (p) return invalidText(field, p.code, `query parameter ${field} ${textProblemMessage(p.code)}`);
      continue;
    }
    if (value === null || typeof value !== 'object' || depth > 8) continue;
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const p = textProblem(key, false);
      if (p) return invalidText(key, p.code, `a query parameter name ${textProblemMessage(p.code)}`);
      stack.push({ value: child, field: field ? `${field}.${key}` : key, depth: depth + 1 });
    }
  }
  return null;
}

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

/**
 * A request with a body must present a bearer token that `resolve` accepts (anything but null)
 * before the body is read: an anonymous client cannot make the service buffer and parse
 * megabytes. What `resolve` found is left on the request (`RESOLVED_TOKEN`), so the global auth
 * guard, which checks roles once the route is known, does not look the token up again (issue 16).
 * Requests without a body pass straight through: the guard authenticates them itself.
 */
export function authenticateBeforeBody(resolve: (token: string) => Promise<object | null>): RequestHandler {
  return (req, res, next) => {
    if (!hasBody(req)) return next();
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match) {
      return refuseUnread(req, res, next, new DomainError(ACCESS_ERRORS.UNAUTHENTICATED, 'unauthenticated', 'Send "Authorization: Bearer <token>".'));
    }
    resolve(match[1]).then(
      (resolved) => {
        if (!resolved) return refuseUnread(req, res, next, new DomainError(ACCESS_ERRORS.UNAUTHENTICATED, 'unauthenticated', 'The token is unknown, expired or revoked.'));
        (req as AuthedRequest)[RESOLVED_TOKEN] = resolved;
        next();
      },
      (error: unknown) => refuseUnread(req, res, next, error as DomainError),
    );
  };
}

type BodyKind = 'json' | 'text' | 'raw';

/** Media types a raw-body route reads itself. */
function isRawMedia(contentType: string): boolean {
  const mime = contentType.split(';')[0].trim().toLowerCase();
  return mime === 'text/csv' || mime === 'text/plain' || mime === 'application/octet-stream' || mime === 'multipart/form-data';
}

/** application/json and application/*+json → JSON; text/csv and text/plain → text. */
function bodyKind(contentType: string): BodyKind | null {
  const mime = contentType.split(';')[0].trim().toLowerCase();
  if (mime === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mime)) return 'json';
  if (mime === 'text/csv' || mime === 'text/plain') return 'text';
  return null;
}

function charsetOf(contentType: string): string | null {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return m ? m[1].toLowerCase() : null;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Reads JSON and text bodies within the limits. Everything else with a body is refused with 415:
 * no route reads another media type, and an unread body must not reach a handler as "no body".
 */
export function readBody(limits: BodyLimits, depthLimit = MAX_JSON_DEPTH): RequestHandler {
  return (req, res, next) => {
    if (!hasBody(req)) return next();
    const contentType = String(req.headers['content-type'] ?? '');
    const raw = req.method === 'POST' && isRawMedia(contentType) && (limits.rawPaths ?? []).some((r) => r.test(req.path));
    const kind: BodyKind | null = raw ? 'raw' : bodyKind(contentType);
    if (!kind) {
      return refuseUnread(
        req,
        res,
        next,
        DomainError.unsupported(REQUEST_ERRORS.UNSUPPORTED_MEDIA_TYPE, 'Send the body as application/json (or text/csv where a route takes CSV).', [
          { code: 'UNSUPPORTED_MEDIA_TYPE', field: 'Content-Type', message: contentType ? `${contentType.slice(0, 100)} is not accepted` : 'missing' },
        ]),
      );
    }
    const charset = charsetOf(contentType);
    if (kind !== 'raw' && charset !== null && charset !== 'utf-8' && charset !== 'utf8') {
      return refuseUnread(req, res, next, DomainError.unsupported(REQUEST_ERRORS.UNSUPPORTED_CHARSET, 'Bodies are read as UTF-8 only.'));
    }
    const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity') {
      return refuseUnread(req, res, next, DomainError.unsupported(REQUEST_ERRORS.UNSUPPORTED_ENCODING, 'Compressed request bodies are not accepted.'));
    }
    const streamed = kind === 'text' && (limits.streamsText?.(req) ?? false);
    const limit = kind === 'json' ? limits.jsonBytes : streamed ? limits.textBytes : Math.min(limits.textBytes, limits.jsonBytes);
    const tooLarge = () =>
      DomainError.tooLarge(REQUEST_ERRORS.TOO_LARGE, `The body is larger than ${limit} bytes, the limit for ${kind === 'json' ? 'JSON' : 'CSV and text'} bodies.`, [
        { code: 'TOO_LARGE', field: 'body', message: `at most ${limit} bytes`, limit },
      ]);
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) return refuseUnread(req, res, next, tooLarge());
    if (streamed) {
      // Read by the route as it arrives, under the same rules (streamed-text.ts).
      attachStreamedText(req, limit);
      return next();
    }

    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (error: DomainError | null, body?: unknown) => {
      if (settled) return;
      settled = true;
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onError);
      req.removeListener('close', onClose);
      chunks.length = 0;
      if (error) {
        // Stop reading: after a refusal mid-stream, close the connection once answered.
        res.setHeader('Connection', 'close');
        req.pause();
        return next(error);
      }
      req.body = body;
      next();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) return finish(tooLarge());
      chunks.push(chunk);
    };
    const onEnd = () => {
      const buffer = Buffer.concat(chunks, received);
      chunks.length = 0;
      try {
        finish(null, kind === 'json' ? parseJsonBody(buffer, depthLimit) : kind === 'raw' ? buffer : parseTextBody(buffer));
      } catch (error) {
        finish(error instanceof DomainError ? error : DomainError.invalid(REQUEST_ERRORS.MALFORMED_JSON, 'The body could not be read.'));
      }
    };
    const onError = () => finish(DomainError.invalid(REQUEST_ERRORS.ABORTED, 'The request body was not received completely.'));
    const onClose = () => {
      if (!req.complete) onError();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  };
}

function decodeUtf8(buffer: Buffer): string {
  try {
    // ignoreBOM: false strips a leading byte order mark (spreadsheet programs write one).
    return UTF8.decode(buffer);
  } catch {
    throw DomainError.invalid(REQUEST_ERRORS.INVALID_TEXT, 'The body is not valid UTF-8.', [{ code: 'INVALID_UTF8', field: 'body', message: 'not valid UTF-8' }]);
  }
}

/** Strict JSON (an object or an array), at most `depthLimit` deep, then checked key by key. */
export function parseJsonBody(buffer: Buffer, depthLimit = MAX_JSON_DEPTH): unknown {
  const text = decodeUtf8(buffer);
  const first = /\S/.exec(text);
  if (!first) return {};
  // Every request body of the API is a JSON object. (An array at the top would reach the
  // validation pipe as an object with one "unknown field" per element: 8 MiB of `[{},{},…]`
  // built 2.7 million errors, 3 GB and a minute of CPU.)
  if (first[0] !== '{') {
    throw DomainError.invalid(REQUEST_ERRORS.MALFORMED_JSON, 'The body must be a JSON object.');
  }
  if (jsonNestsDeeperThan(text, depthLimit)) {
    throw DomainError.invalid(REQUEST_ERRORS.TOO_DEEP, `The JSON body is nested deeper than ${depthLimit} levels.`, [
      { code: 'TOO_DEEP', field: 'body', message: `at most ${depthLimit} levels of objects and arrays`, limit: depthLimit },
    ]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unreadable';
    throw DomainError.invalid(REQUEST_ERRORS.MALFORMED_JSON, `The body is not valid JSON: ${reason.slice(0, 200)}`);
  }
  const problems = jsonProblems(value, depthLimit);
  if (problems.length) {
    const details: ErrorDetail[] = problems.map((p) => ({ field: p.field || 'body', code: p.code, message: p.message }));
    const shape = new Set(['UNKNOWN_FIELD', 'TOO_DEEP', 'TOO_MANY_MEMBERS']);
    const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
    // Shape problems (a key no request has, too many members) are refused like any invalid
    // field; text that cannot be stored has its own code.
    throw problems.every((p) => shape.has(p.code))
      ? DomainError.invalid(REQUEST_ERRORS.INVALID, `The request is invalid: ${summary}`, details)
      : DomainError.invalid(REQUEST_ERRORS.INVALID_TEXT, `The request contains text that is not accepted: ${summary}`, details);
  }
  return value;
}

/** CSV or plain text: UTF-8, no NUL or control characters other than tab and line breaks. */
export function parseTextBody(buffer: Buffer): string {
  const text = decodeUtf8(buffer);
  const p = textProblem(text, true);
  if (p) {
    const line = text.slice(0, p.index).split('\n').length;
    throw DomainError.invalid(REQUEST_ERRORS.INVALID_TEXT, `The body contains text that is not accepted: line ${line} ${textProblemMessage(p.code)}.`, [
      { code: p.code, field: 'body', line, message: `line ${line} ${textProblemMessage(p.code)}` },
    ]);
  }
  return text;
}
