import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { DomainError } from './domain-error';
import { errorBodyFor, retryAfterFor } from './http-error.filter';
import { unavailableReason } from './unavailable';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });
const queryFailed = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);

describe('the one error filter during an outage (issue 10 item 4)', () => {
  it.each([
    ['terminated backend (57P01 admin_shutdown)', queryFailed(pgError('57P01', 'terminating connection due to administrator command'))],
    ['server starting or stopping (57P03)', queryFailed(pgError('57P03', 'the database system is starting up'))],
    ['connection failure (08006)', queryFailed(pgError('08006'))],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:55432'), { code: 'ECONNREFUSED', errno: -111 })],
    ['socket closed by the server', new Error('Connection terminated unexpectedly')],
    ['pool exhausted', new Error('timeout exceeded when trying to connect')],
    ['dead client reused', new Error('Client has encountered a connection error and is not queryable')],
    ['a reply cut off by a terminated backend', new Error('Received unexpected commandComplete message from backend.')],
    ['the transaction\'s query runner released by its terminated client', new QueryRunnerProviderAlreadyReleasedError()],
    ['a released query runner used again', new QueryRunnerAlreadyReleasedError()],
    ['wrapped in a cause', new Error('post failed', { cause: pgError('57P01') })],
  ])('%s → 503 SERVICE.UNAVAILABLE with Retry-After, never 500', (_, error) => {
    const body = errorBodyFor(error);
    expect(body).toMatchObject({ statusCode: 503, code: 'SERVICE.UNAVAILABLE' });
    expect(retryAfterFor(body)).toBe(1);
  });

  it('a statement cancelled by statement_timeout (57014) → 503 SERVICE.TIMEOUT', () => {
    const body = errorBodyFor(queryFailed(pgError('57014', 'canceling statement due to statement timeout')));
    expect(body).toMatchObject({ statusCode: 503, code: 'SERVICE.TIMEOUT' });
    expect(retryAfterFor(body)).toBe(2);
  });

  it('text PostgreSQL cannot store (22021 NUL, 22P05 \\u0000 in jsonb) → 400 REQUEST.INVALID_TEXT', () => {
    expect(errorBodyFor(queryFailed(pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00')))).toMatchObject({ statusCode: 400, code: 'REQUEST.INVALID_TEXT' });
    expect(errorBodyFor(queryFailed(pgError('22P05', 'unsupported Unicode escape sequence')))).toMatchObject({ statusCode: 400, code: 'REQUEST.INVALID_TEXT' });
  });

  it('the new kinds map to 413, 415 and 503; other errors stay 500 INTERNAL', () => {
    expect(errorBodyFor(DomainError.tooLarge('REQUEST.TOO_LARGE', 'big')).statusCode).toBe(413);
    expect(errorBodyFor(DomainError.unsupported('REQUEST.UNSUPPORTED_MEDIA_TYPE', 'xml')).statusCode).toBe(415);
    expect(errorBodyFor(DomainError.unavailable('SERVICE.BUSY', 'busy')).statusCode).toBe(503);
    expect(errorBodyFor(new TypeError('undefined is not a function'))).toMatchObject({ statusCode: 500, code: 'INTERNAL' });
    expect(unavailableReason(queryFailed(pgError('23505')))).toBeNull();
    expect(retryAfterFor(errorBodyFor(DomainError.invalid('X.Y', 'bad')))).toBeNull();
  });
});
