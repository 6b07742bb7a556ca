import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';
import type { LogLevel } from '../../config/app-config';
import type { AuthedRequest } from '../access/principal';

/**
 * The per-request log line (nestjs-pino / pino-http), issue #16: one line per answered request
 * with what an operator needs — the request id, the method and URL (the route with its
 * parameters), the status, the time in ms (`responseTime`) and the actor (the token id and role
 * the guard authenticated; absent for public routes and refusals before authentication).
 *
 * pino-http's default serializers copy every request header, the query, the parameters and the
 * client's address into a child logger for every request, and every response header into the
 * line: measured as ~23% of the CPU of a cheap route (docs/benchmarks.md "HTTP"). These
 * serializers read only the fields above, on the raw objects (`wrapSerializers: false`: no
 * intermediate standard objects). Errors keep pino's standard serializer.
 */
export function requestLoggingOptions(level: LogLevel): Options {
  return {
    level,
    wrapSerializers: false,
    serializers: {
      req: serializeRequest,
      res: serializeResponse,
    },
    // Nothing logs headers any more; kept so that a log line that ever carries them cannot leak a token.
    redact: ['req.headers.authorization'],
    autoLogging: { ignore: (req) => req.url === '/health' },
  };
}

export function serializeRequest(req: IncomingMessage & { id?: unknown; originalUrl?: string }): { id: unknown; method?: string; url?: string } {
  return { id: req.id, method: req.method, url: req.originalUrl ?? req.url };
}

export function serializeResponse(res: ServerResponse & { req?: IncomingMessage }): { statusCode: number; actor?: string } {
  const principal = (res.req as AuthedRequest | undefined)?.principal;
  return principal ? { statusCode: res.statusCode, actor: `${principal.role}:${principal.tokenId}` } : { statusCode: res.statusCode };
}
