import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chaosDir, freePort, run } from '../chaos/support/processes';
import { SERVICE_ENTRY, ServiceProcess } from '../chaos/support/service';
import { SERVICE_PORTS } from './support/cluster';

/**
 * Issue 19: the embedded database (PGlite) lives in one process. A second instance started on the
 * same data directory is refused at start with a message naming the owner; once the owner is gone
 * (kill -9: its lock stays behind), the next start takes the stale lock over.
 */
describe('the embedded database: one instance per data directory', () => {
  mkdirSync(chaosDir(), { recursive: true });
  const dir = mkdtempSync(join(chaosDir(), 'embedded-'));
  const bank = `EMB${process.pid}`;
  const dataDir = join(dir, 'db');
  const first = new ServiceProcess({ databaseUrl: '', env: { DATA_DIR: dataDir } });
  const third = new ServiceProcess({ databaseUrl: '', env: { DATA_DIR: dataDir } });

  afterAll(async () => {
    await first.stop();
    await third.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a second instance on the same folder is refused at start, naming the owner; the owner carries on', async () => {
    first.port = await freePort(SERVICE_PORTS[0], SERVICE_PORTS[1]);
    await first.start(120_000);
    const lock = JSON.parse(readFileSync(`${dataDir}.lock`, 'utf8')) as { pid: number };
    expect(lock.pid).toBe(first.pid);
    expect((await first.request('POST', '/v1/banks', { body: { code: bank, name: 'Embedded bank' } })).status).toBe(201);
    const second = await run(process.execPath, [SERVICE_ENTRY], {
      allowFailure: true,
      timeoutMs: 60_000,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', PORT: String(await freePort(SERVICE_PORTS[0], SERVICE_PORTS[1])), DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    });
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(`start-up refused: The embedded database ${dataDir} is in use by another process (pid ${first.pid} on `);
    expect(second.stderr).toContain('set DATABASE_URL so that several instances share one PostgreSQL server');
    // The owner's lock and service are untouched.
    expect((JSON.parse(readFileSync(`${dataDir}.lock`, 'utf8')) as { pid: number }).pid).toBe(first.pid);
    expect((await first.request('GET', '/health')).status).toBe(200);
  });

  it('after kill -9 of the owner its stale lock is taken over by the next start; a clean stop removes it', async () => {
    await first.kill();
    expect(existsSync(`${dataDir}.lock`)).toBe(true);
    third.port = await freePort(SERVICE_PORTS[0], SERVICE_PORTS[1]);
    await third.start(120_000);
    expect((JSON.parse(readFileSync(`${dataDir}.lock`, 'utf8')) as { pid: number }).pid).toBe(third.pid);
    // What the first owner committed is there.
    expect((await third.request('GET', `/v1/banks/${bank}`)).status).toBe(200);
    await third.stop();
    expect(existsSync(`${dataDir}.lock`)).toBe(false);
  });
});
