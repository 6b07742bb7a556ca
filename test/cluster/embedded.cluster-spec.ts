import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chaosDir, freePort, rememberPid, run, waitFor } from '../chaos/support/processes';
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
  const dataDir = join(dir, 'db');
  const first = new ServiceProcess({ databaseUrl: '', env: { DATA_DIR: dataDir } });
  let third: ChildProcess | null = null;

  afterAll(async () => {
    await first.kill();
    if (third && third.exitCode === null) {
      const exited = new Promise((resolve) => third?.once('exit', resolve));
      third.kill('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('a second instance on the same folder is refused at start, naming the owner; the owner carries on', async () => {
    first.port = await freePort(SERVICE_PORTS[0], SERVICE_PORTS[1]);
    // The second start is tried while the first is still opening and migrating the database: the
    // lock is taken before anything is read.
    const starting = first.start(120_000);
    const owner = () => (existsSync(`${dataDir}.lock`) ? (JSON.parse(readFileSync(`${dataDir}.lock`, 'utf8')) as { pid: number }).pid : null);
    await waitFor('the first instance to take the lock', async () => owner() === first.pid, 60_000, 50);
    const second = await run(process.execPath, [SERVICE_ENTRY], {
      allowFailure: true,
      timeoutMs: 60_000,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', PORT: String(await freePort(SERVICE_PORTS[0], SERVICE_PORTS[1])), DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    });
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(`start-up refused: The embedded database ${dataDir} is in use by another process (pid ${first.pid} on `);
    expect(second.stderr).toContain('set DATABASE_URL so that several instances share one PostgreSQL server');
    // The owner's lock and start are untouched.
    await starting;
    expect(owner()).toBe(first.pid);
    expect((await first.request('GET', '/health')).status).toBe(200);
  });

  it('after kill -9 of the owner its stale lock is taken over by the next start', async () => {
    await first.kill();
    expect(existsSync(`${dataDir}.lock`)).toBe(true);
    const port = String(await freePort(SERVICE_PORTS[0], SERVICE_PORTS[1]));
    third = spawn(process.execPath, [SERVICE_ENTRY], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', PORT: port, CHAOS_SERVICE_PORT: port, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    rememberPid(third.pid, `CHAOS_SERVICE_PORT=${port}`);
    // Not waiting for the whole start: the lock is taken before the database is opened.
    await waitFor('the new owner in the lock', async () => (JSON.parse(readFileSync(`${dataDir}.lock`, 'utf8')) as { pid: number }).pid === third?.pid, 60_000, 50);
    expect(third.exitCode).toBeNull();
  });

});
