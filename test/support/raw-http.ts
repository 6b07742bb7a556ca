import { Agent, IncomingHttpHeaders, request } from 'node:http';

/**
 * An HTTP request with exact bytes (supertest re-encodes bodies and cannot send a lone surrogate
 * escape, invalid UTF-8 or a body that stops half-way), for the edge specs and the fault battery.
 */
export interface RawRequest {
  port: number;
  method: string;
  /** Sent as written: percent-escapes such as %00 stay escapes. */
  path: string;
  headers?: Record<string, string | number>;
  body?: Buffer | string;
  /**
   * Send only `body` and keep the request open (the declared Content-Length, if any, is larger):
   * for checks that the service answers before reading the rest. The socket is destroyed once an
   * answer arrives.
   */
  partial?: boolean;
  timeoutMs?: number;
  agent?: Agent;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Parsed JSON when the answer is JSON, else null. */
  json: unknown;
  ms: number;
}

export class RawRequestError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'network',
    readonly ms: number,
  ) {
    super(message);
  }
}

export function rawRequest(r: RawRequest): Promise<RawResponse> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (error: Error | null, value?: RawResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(value as RawResponse);
    };
    const req = request({
      host: '127.0.0.1',
      port: r.port,
      method: r.method,
      path: r.path,
      headers: r.headers,
      agent: r.agent ?? false,
    });
    const timer = setTimeout(() => {
      done(new RawRequestError(`${r.method} ${r.path.slice(0, 80)}: no answer within ${r.timeoutMs ?? 30_000} ms`, 'timeout', Date.now() - started));
      req.destroy();
    }, r.timeoutMs ?? 30_000);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => undefined);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        if (String(res.headers['content-type'] ?? '').includes('json')) {
          try {
            json = JSON.parse(text);
          } catch {
            json = null;
          }
        }
        done(null, { status: res.statusCode ?? 0, headers: res.headers, text, json, ms: Date.now() - started });
        if (r.partial) req.destroy();
      });
    });
    req.on('error', (error: Error) => {
      // An answer sent before the whole body was written can end in EPIPE/ECONNRESET on our side.
      if (!settled) setTimeout(() => done(new RawRequestError(`${r.method} ${r.path.slice(0, 80)}: ${error.message}`, 'network', Date.now() - started)), 50);
    });
    if (r.body !== undefined) req.write(r.body);
    if (!r.partial) req.end();
  });
}
