import { randomUUID } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * One process per embedded data directory (issue 19 item 1, docs/scaling.md "The embedded
 * database"). PGlite keeps the whole database in the memory of the process that opened it and
 * writes its files back from there; a second process opening the same folder reads files the first
 * is still rewriting, and whichever writes last silently undoes the other's commits. So the folder
 * gets a lock file beside it, `<dataDir>.lock`, holding the owner's pid, host and start time:
 *
 * - created with O_EXCL, so of two processes starting together exactly one gets it;
 * - present and its owner alive (same host, the pid runs and was started when the lock says): the
 *   start is refused with EmbeddedDatabaseLocked, naming the owner;
 * - present but its owner gone (killed with -9, the machine rebooted): the stale lock is taken over
 *   (moved aside with one atomic rename and checked, then created again with O_EXCL: of takers racing
 *   for it, one gets it and the others are refused);
 * - removed by its owner when the database stops.
 *
 * A lock file rather than an OS file lock: Node has no flock, and the owner's pid in the file is
 * what an operator needs to read when the start is refused.
 */
export interface LockOwner {
  pid: number;
  host: string;
  /** The owner's start time as the kernel counts it (/proc/<pid>/stat field 22), when known: tells a reused pid apart. */
  processStart: string | null;
  lockedAt: string;
}

export class EmbeddedDatabaseLocked extends Error {
  constructor(
    readonly lockFile: string,
    readonly owner: LockOwner,
  ) {
    super(
      `The embedded database ${lockFile.replace(/\.lock$/, '')} is in use by another process (pid ${owner.pid} on ${owner.host}, since ${owner.lockedAt}). ` +
        `One instance per data directory: stop that process first, give this one another DATA_DIR, or set DATABASE_URL so that several instances share one PostgreSQL server (docs/scaling.md). ` +
        `If no such process runs, remove ${lockFile}.`,
    );
    this.name = 'EmbeddedDatabaseLocked';
  }
}

/** The kernel's start time of `pid` (clock ticks since boot), or null off Linux or when it is gone. */
export function processStartOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the lock's owner still runs: same host, the pid alive and, where known, started when the lock says. */
export function ownerRuns(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true; // another machine's process (a shared folder): never taken over
  if (!Number.isInteger(owner.pid) || owner.pid <= 0 || !alive(owner.pid)) return false;
  if (owner.processStart === null) return true;
  const now = processStartOf(owner.pid);
  return now === null || now === owner.processStart;
}

function readOwner(file: string): LockOwner | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null;
    return { pid: parsed.pid, host: parsed.host, processStart: parsed.processStart ?? null, lockedAt: String(parsed.lockedAt ?? '?') };
  } catch {
    return null;
  }
}

function create(file: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(owner)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

export class DataDirLock {
  private constructor(
    readonly file: string,
    readonly owner: LockOwner,
    /** The stale owner this lock replaced, if any (for the log). */
    readonly tookOverFrom: LockOwner | null,
  ) {}

  /** Takes the lock of `dataDir` for this process, or throws EmbeddedDatabaseLocked. */
  static acquire(dataDir: string, pid = process.pid): DataDirLock {
    const file = `${dataDir}.lock`;
    const owner: LockOwner = { pid, host: hostname(), processStart: processStartOf(pid), lockedAt: new Date().toISOString() };
    if (create(file, owner)) return new DataDirLock(file, owner, null);
    const existing = readOwner(file);
    // An unreadable lock (a crash while writing it) has no owner to protect.
    if (existing && existing.pid !== pid && ownerRuns(existing)) throw new EmbeddedDatabaseLocked(file, existing);
    // The stale lock is moved aside, atomically: of several processes taking it over at once, one
    // rename moves it. A taker that finds it moved a live owner's lock instead (another taker's
    // fresh one, made between its read and its rename) puts it back — `link` never overwrites —
    // and gives way; so does a taker whose rename finds nothing left to move.
    const refused = () => new EmbeddedDatabaseLocked(file, readOwner(file) ?? { pid: -1, host: hostname(), processStart: null, lockedAt: '?' });
    const aside = `${file}.stale-${pid}-${randomUUID()}`;
    try {
      renameSync(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      if (create(file, owner)) return new DataDirLock(file, owner, existing);
      throw refused();
    }
    const moved = readOwner(aside);
    if (moved && !(existing && moved.pid === existing.pid && moved.lockedAt === existing.lockedAt) && ownerRuns(moved)) {
      try {
        linkSync(aside, file);
      } catch {
        // Someone made a new lock meanwhile: it stands.
      }
      unlinkSync(aside);
      throw new EmbeddedDatabaseLocked(file, moved);
    }
    unlinkSync(aside);
    if (create(file, owner)) return new DataDirLock(file, owner, existing);
    // Another process took the stale lock between our rename and our create.
    throw refused();
  }

  /** Removes the lock file if it is still ours. */
  release(): void {
    const current = readOwner(this.file);
    if (!current || current.pid !== this.owner.pid || current.lockedAt !== this.owner.lockedAt) return;
    try {
      unlinkSync(this.file);
    } catch {
      // already gone
    }
  }
}
