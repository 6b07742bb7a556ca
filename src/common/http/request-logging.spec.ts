import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import pinoHttp from 'pino-http';
import request from 'supertest';
import { requestLoggingOptions } from './request-logging';

/** Serves one request through pino-http with the service's options and returns the log lines. */
async function logLinesOf(send: (agent: ReturnType<typeof request>) => Promise<unknown>, principal: object | null): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = pinoHttp(requestLoggingOptions('info'), stream);
  const server = createServer((req, res) => {
    log(req, res);
    if (principal) (req as unknown as { principal: object }).principal = principal;
    res.setHeader('Set-Cookie', 'secret=1');
    res.statusCode = req.url === '/missing' ? 404 : 201;
    res.end('{}');
  });
  await send(request(server));
  await new Promise((r) => setImmediate(r));
  return lines;
}

describe('the per-request log line (issue #16: request id, actor, route, status, ms — no headers)', () => {
  it('an authenticated request: one line with id, method, URL, status, responseTime and the actor; no header, token or query object', async () => {
    const lines = await logLinesOf(
      (agent) => agent.post('/v1/ledger/entries?dryRun=1').set('Authorization', 'Bearer rf_secret-token').set('X-Other', 'x').send({ a: 1 }),
      { tokenId: 'tok-7', role: 'trustee', partyCode: null },
    );
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({ level: 30, msg: 'request completed', req: { id: 1, method: 'POST', url: '/v1/ledger/entries?dryRun=1' }, res: { statusCode: 201, actor: 'trustee:tok-7' } });
    expect(typeof line.responseTime).toBe('number');
    expect(Object.keys(line.req as object).sort()).toEqual(['id', 'method', 'url']);
    expect(Object.keys(line.res as object).sort()).toEqual(['actor', 'statusCode']);
    const text = JSON.stringify(line);
    for (const secret of ['rf_secret-token', 'authorization', 'X-Other', 'x-other', 'secret=1', 'remoteAddress']) expect(text).not.toContain(secret);
  });

  it('without a principal (refused before authentication, or a public route) the line has no actor', async () => {
    const [line] = await logLinesOf((agent) => agent.get('/missing'), null);
    expect(line).toMatchObject({ req: { method: 'GET', url: '/missing' }, res: { statusCode: 404 } });
    expect((line.res as object as { actor?: string }).actor).toBeUndefined();
  });

  it('/health is not logged', async () => {
    expect(await logLinesOf((agent) => agent.get('/health'), null)).toEqual([]);
  });
});
