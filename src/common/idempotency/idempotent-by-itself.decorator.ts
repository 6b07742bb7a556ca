import { SetMetadata } from '@nestjs/common';

export const IDEMPOTENT_BY_ITSELF = 'idempotency:by-itself';

/**
 * A write route that is idempotent by its own data and commits in transactions of its own — the
 * quarter close, whose run table (quarter × duty) applies each duty exactly once and answers a
 * second call with the first result. The Idempotency-Key interceptor then checks the key's format
 * and does NOT open the request transaction around it: the route's own transactions would
 * otherwise wait on it (on the embedded database, which runs one transaction at a time, for ever),
 * and its duties commit on their own anyway. docs/reliability.md "Idempotency".
 */
export const IdempotentByItself = (): MethodDecorator => SetMetadata(IDEMPOTENT_BY_ITSELF, true);
