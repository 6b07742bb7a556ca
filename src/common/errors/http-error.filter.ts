import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { ACCESS_ERRORS, CONFLICT_ERRORS, INTERNAL_ERROR, REQUEST_ERRORS, ROUTE_ERRORS } from './common.errors';
import { DomainError, DomainErrorKind, ErrorDetail } from './domain-error';

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rule: 422,
};

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
        const status = code.endsWith('CLOSED_PERIOD') || code.startsWith('CONFLICT.') ? 409 : 422;
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
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
    case '22001':
      return { statusCode: 400, code: REQUEST_ERRORS.INVALID_VALUE, message: `A value is out of range or malformed: ${message}`, details: [] };
    case '40001':
    case '40P01':
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

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = errorBodyFor(exception);
    if (body.statusCode >= HttpStatus.INTERNAL_SERVER_ERROR) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    if (response.headersSent) return;
    response.status(body.statusCode).json(body);
  }
}
