import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { ACCESS_ERRORS, CONFLICT_ERRORS, INTERNAL_ERROR, REQUEST_ERRORS, ROUTE_ERRORS, SERVICE_ERRORS } from './common.errors';
import { DomainError, DomainErrorKind, ErrorDetail } from './domain-error';
import { unavailableReason } from './unavailable';

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rule: 422,
  too_large: 413,
  unsupported: 415,
  unavailable: 503,
};

/**
 * Seconds a client should wait before retrying a 503 (the `Retry-After` header). A database
 * outage usually ends within seconds (a restart, a failover); a busy service frees a slot as soon
 * as one heavy read ends.
 */
const RETRY_AFTER_SECONDS: Record<string, number> = {
  [SERVICE_ERRORS.UNAVAILABLE]: 1,
  [SERVICE_ERRORS.TIMEOUT]: 2,
  [SERVICE_ERRORS.BUSY]: 2,
  'QUEUE.UNAVAILABLE': 5,
};
const DEFAULT_RETRY_AFTER_SECONDS = 1;

export function retryAfterFor(body: ErrorBody): number | null {
  if (body.statusCode !== 503 && body.statusCode !== 429) return null;
  return RETRY_AFTER_SECONDS[body.code] ?? DEFAULT_RETRY_AFTER_SECONDS;
}

/** Stable codes for errors raised by the framework rather than by our services. */
const CODE_BY_STATUS: Record<number, string> = {
  400: REQUEST_ERRORS.INVALID,
  401: ACCESS_ERRORS.UNAUTHENTICATED,
  403: ACCESS_ERRORS.FORBIDDEN,
  404: ROUTE_ERRORS.NOT_FOUND,
  405: ROUTE_ERRORS.METHOD_NOT_ALLOWED,
  409: REQUEST_ERRORS.CONFLICT,
  413: REQUEST_ERRORS.TOO_LARGE,
  415: REQUEST_ERRORS.UNSUPPORTED_MEDIA_TYPE,
  422: REQUEST_ERRORS.UNPROCESSABLE,
  429: REQUEST_ERRORS.TOO_MANY,
  503: SERVICE_ERRORS.UNAVAILABLE,
};

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details: ErrorDetail[];
}

/**
 * PostgreSQL errors that reach the filter are mapped to 4xx where they mean bad input or a
 * conflict (a last line of defence: services check first). Triggers raise our own codes with
 * `RAISE EXCEPTION '<CODE>: message' USING ERRCODE = 'P0001'`.
 */
function fromDatabase(error: QueryFailedError): ErrorBody | null {
  const driver = error.driverError as { code?: string; message?: string; detail?: string; constraint?: string };
  const message = driver.message ?? error.message;
  switch (driver.code) {
    case 'P0001': {
      const m = /^([A-Z][A-Z_]*\.[A-Z_.]+): (.*)$/s.exec(message);
      if (m) {
        const code = m[1];
        const status = code.endsWith('CLOSED_PERIOD') || code === 'LEDGER.ACCOUNT_CLOSED' || code.startsWith('CONFLICT.') ? 409 : 422;
        return { statusCode: status, code, message: m[2], details: [] };
      }
      return null;
    }
    case '23505':
      return {
        statusCode: 409,
        code: CONFLICT_ERRORS.DUPLICATE,
        message: 'A record with the same identifying values already exists.',
        details: [{ code: 'UNIQUE', message: driver.detail ?? 'duplicate', constraint: driver.constraint }],
      };
    case '23503':
      return {
        statusCode: 422,
        code: REQUEST_ERRORS.REFERENCE_NOT_FOUND,
        message: 'The request refers to a record that does not exist.',
        details: [{ code: 'FOREIGN_KEY', message: driver.detail ?? 'missing reference', constraint: driver.constraint }],
      };
    // A CHECK constraint: a value the table's own rule refuses (the DTOs check first).
    case '23514':
      return {
        statusCode: 400,
        code: REQUEST_ERRORS.INVALID_VALUE,
        message: 'A value breaks a rule of the stored data.',
        details: [{ code: 'CHECK', message: driver.detail ?? 'check violation', constraint: driver.constraint }],
      };
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
    case '22001':
      return { statusCode: 400, code: REQUEST_ERRORS.INVALID_VALUE, message: `A value is out of range or malformed: ${message}`, details: [] };
    // Text PostgreSQL cannot store: NUL ("invalid byte sequence for encoding UTF8: 0x00") and
    // \u0000 in jsonb ("unsupported Unicode escape sequence"). The edge refuses these first
    // (src/common/http/request-text.ts); this is the last line of defence.
    case '22021':
    case '22P05':
      return { statusCode: 400, code: REQUEST_ERRORS.INVALID_TEXT, message: 'The request contains text the database cannot store (NUL or an invalid character).', details: [] };
    // program_limit_exceeded, e.g. a value too large for an index row.
    case '54000':
      return { statusCode: 400, code: REQUEST_ERRORS.INVALID_VALUE, message: 'A value is too large to store.', details: [] };
    case '40001':
    case '40P01':
    case '55P03':
      return { statusCode: 409, code: CONFLICT_ERRORS.RETRY, message: 'A concurrent change conflicted with this request; retry it.', details: [] };
    default:
      return null;
  }
}

export function errorBodyFor(exception: unknown): ErrorBody {
  if (exception instanceof DomainError) {
    return {
      statusCode: STATUS_BY_KIND[exception.kind],
      code: exception.code,
      message: exception.message,
      details: exception.details,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const text =
      typeof response === 'string'
        ? response
        : Array.isArray((response as { message?: unknown }).message)
          ? ((response as { message: string[] }).message).join('; ')
          : String((response as { message?: unknown }).message ?? exception.message);
    return { statusCode: status, code: CODE_BY_STATUS[status] ?? `HTTP.${status}`, message: text, details: [] };
  }
  if (exception instanceof QueryFailedError) {
    const mapped = fromDatabase(exception);
    if (mapped) return mapped;
  }
  // The database went away (restart, terminated backend, refused connection, pool timeout): the
  // request may be retried; 503 with Retry-After, never 500 (docs/reliability.md).
  const unavailable = unavailableReason(exception);
  if (unavailable === 'timeout') {
    return { statusCode: 503, code: SERVICE_ERRORS.TIMEOUT, message: 'The database did not answer in time; retry later.', details: [] };
  }
  if (unavailable === 'database') {
    return { statusCode: 503, code: SERVICE_ERRORS.UNAVAILABLE, message: 'The database is unavailable right now; retry later.', details: [] };
  }
  // body-parser errors (malformed JSON, too large, bad charset) carry their own 4xx status.
  const raw = exception as { status?: number; statusCode?: number; type?: string; message?: string };
  const rawStatus = raw?.status ?? raw?.statusCode;
  if (typeof rawStatus === 'number' && rawStatus >= 400 && rawStatus < 500) {
    const code = raw.type === 'entity.parse.failed' ? REQUEST_ERRORS.MALFORMED_JSON : (CODE_BY_STATUS[rawStatus] ?? `HTTP.${rawStatus}`);
    const message = raw.type === 'entity.parse.failed' ? `The body is not valid JSON: ${raw.message}` : (raw.message ?? 'Bad request');
    return { statusCode: rawStatus, code, message, details: [] };
  }
  return { statusCode: 500, code: INTERNAL_ERROR, message: 'Internal error; it has been logged.', details: [] };
}

/** The one filter that turns every error into the API.md error JSON. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');
  private lastUnavailableLog = 0;
  private unavailableSinceLog = 0;

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = errorBodyFor(exception);
    if (body.statusCode === HttpStatus.SERVICE_UNAVAILABLE) {
      this.logUnavailable(body, exception);
    } else if (body.statusCode >= HttpStatus.INTERNAL_SERVER_ERROR) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    if (response.headersSent) return;
    const retryAfter = retryAfterFor(body);
    if (retryAfter !== null) response.setHeader('Retry-After', String(retryAfter));
    response.status(body.statusCode).json(body);
  }

  /** An outage turns every request into a 503: one warning a second, with the count, is enough. */
  private logUnavailable(body: ErrorBody, exception: unknown): void {
    this.unavailableSinceLog += 1;
    const now = Date.now();
    if (now - this.lastUnavailableLog < 1000) return;
    const cause = exception instanceof Error ? exception.message : String(exception);
    this.logger.warn(`${body.code}: ${this.unavailableSinceLog} request(s) answered 503 since the last report; latest cause: ${cause}`);
    this.lastUnavailableLog = now;
    this.unavailableSinceLog = 0;
  }
}
