import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { MetricsService } from '../metrics/metrics.service';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** A caller's own request id is kept when it is 1–128 visible ASCII characters; else one is made. */
const CALLER_ID = /^[\x21-\x7e]{1,128}$/;

type IdentifiedRequest = Request & { id?: string };

/**
 * The first middleware of every request (issue #15 item 5): gives it a request id — the
 * caller's `X-Request-Id` when well-formed, else a UUID — sent back in `X-Request-Id` on every
 * response (edge refusals included) and carried by every log line of the request (pino-http
 * reuses `req.id`); and times it for `http_request_duration_seconds` by route pattern.
 */
export function requestContext(metrics: MetricsService) {
  return (req: IdentifiedRequest, res: Response, next: NextFunction): void => {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && CALLER_ID.test(given) ? given : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, req.id);
    const stop = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const route = (req as Request & { route?: { path?: unknown } }).route?.path;
      stop({ method: req.method, route: typeof route === 'string' ? `${req.baseUrl}${route}` : 'unmatched', status: String(res.statusCode) });
    });
    next();
  };
}
