import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLock, EmbeddedDatabaseLocked, processStartOf } from './data-dir-lock';

/** A pid that ran and has exited (a finished child of ours). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid as number;
}

describe('DataDirLock: one process per embedded data directory', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'rf-lock-')), 'db');
  });

  it('writes the owner (pid, host, start time) beside the folder and removes it on release', () => {
    const lock = DataDirLock.acquire(dir);
    const owner = JSON.parse(readFileSync(`${dir}.lock`, 'utf8')) as { pid: number; host: string; processStart: string | null };
    expect(owner).toEqual(expect.objectContaining({ pid: process.pid, host: hostname(), processStart: processStartOf(process.pid) }));
    lock.release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it('refuses a second process while the owner runs, naming the owner and the file', () => {
    const lock = DataDirLock.acquire(dir);
    let refused: unknown = null;
    try {
      DataDirLock.acquire(dir, process.pid + 1_000_000);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(EmbeddedDatabaseLocked);
    expect((refused as EmbeddedDatabaseLocked).owner.pid).toBe(process.pid);
    expect((refused as Error).message).toContain(`in use by another process (pid ${process.pid} on ${hostname()}`);
    expect((refused as Error).message).toContain(`${dir}.lock`);
    // The refused start leaves the owner's lock alone.
    expect(JSON.parse(readFileSync(`${dir}.lock`, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock whose owner no longer runs (killed with -9: no release)', () => {
    const gone = deadPid();
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: gone, host: hostname(), processStart: '1', lockedAt: '2026-01-01T00:00:00.000Z' }));
    const lock = DataDirLock.acquire(dir);
    expect(lock.tookOverFrom?.pid).toBe(gone);
    expect(JSON.parse(readFileSync(`${dir}.lock`, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('two processes taking over one stale lock: the one that finds a fresh lock where the stale one was puts it back and is refused', () => {
    const gone = deadPid();
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: gone, host: hostname(), processStart: '1', lockedAt: '2026-01-01T00:00:00.000Z' }));
    // Between this process reading the stale owner and moving the file, another process (our parent
    // stands in: it runs) has taken the stale lock over and written its own.
    const other = { pid: process.ppid, host: hostname(), processStart: processStartOf(process.ppid), lockedAt: '2026-12-02T00:00:00.000Z' };
    // The module object the lock's code calls into (an ES namespace import would be a frozen copy).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require('node:fs') as typeof import('node:fs');
    const realRename = fs.renameSync;
    const spy = jest.spyOn(fs, 'renameSync').mockImplementationOnce((from, to) => {
      writeFileSync(`${dir}.lock`, JSON.stringify(other));
      realRename(from, to);
    });
    try {
      expect(() => DataDirLock.acquire(dir)).toThrow(EmbeddedDatabaseLocked);
    } finally {
      spy.mockRestore();
    }
    // The other process's lock is back in place, untouched; nothing else is left beside it.
    expect(JSON.parse(readFileSync(`${dir}.lock`, 'utf8'))).toEqual(other);
    expect(fs.readdirSync(join(dir, '..')).filter((f) => f.includes('.stale-'))).toEqual([]);
  });

  it('takes over a lock whose pid now belongs to a process started later (a reused pid)', () => {
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: process.ppid, host: hostname(), processStart: 'not-its-start', lockedAt: '2026-01-01T00:00:00.000Z' }));
    const lock = DataDirLock.acquire(dir);
    expect(lock.tookOverFrom?.pid).toBe(process.ppid);
    lock.release();
  });

  it("never takes over another host's lock (a shared folder)", () => {
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: deadPid(), host: `${hostname()}-other`, processStart: null, lockedAt: '2026-01-01T00:00:00.000Z' }));
    expect(() => DataDirLock.acquire(dir)).toThrow(EmbeddedDatabaseLocked);
  });

  it('takes over an unreadable lock (a crash while it was written)', () => {
    writeFileSync(`${dir}.lock`, '{"pid":');
    const lock = DataDirLock.acquire(dir);
    expect(lock.tookOverFrom).toBeNull();
    lock.release();
  });

  it('release leaves a lock that another process has since taken', () => {
    const lock = DataDirLock.acquire(dir);
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), processStart: null, lockedAt: 'later' }));
    lock.release();
    expect(existsSync(`${dir}.lock`)).toBe(true);
  });
});
