import { appendFileSync } from 'node:fs';

/**
 * Defects the battery finds whose fix belongs to code outside the service's edge and
 * infrastructure (the ledger, claims, idempotency modules), each with its owner and what must
 * change. A finding that matches one is printed and counted, but does not fail the run unless
 * CHAOS_STRICT=1; any other finding fails. When a fix lands, delete its entry here: the battery
 * then enforces it on every run. docs/reliability.md, "What remains", lists the same entries.
 */
export const KNOWN_DEFECTS = {
  'ledger-connect-outside-try': {
    owner: 'src/ledger/ledger-posting.service.ts (runBatch)',
    what:
      'A lone entry takes its connection with obtainMasterConnection() outside the try: when the database refuses new connections (shutting down, starting up) the rejection is never handled (without the process guard Node exits) and the waiting request is never answered.',
  },
  'ledger-autocommit-repost': {
    owner: 'src/ledger/ledger-posting.service.ts (runBatch, preparedQuerier)',
    what:
      'The lone-entry autocommit path treats every QueryFailedError as "refused, nothing written" and re-posts on the careful path; a connection lost after the commit (57P01, "Connection terminated unexpectedly") is wrapped as QueryFailedError too, so the entry can be posted twice in one request.',
  },
  'idempotency-release-after-commit': {
    owner: 'src/common/idempotency/idempotency.interceptor.ts (issue 10 item 4)',
    what:
      'A 5xx answer releases the key although the effect may have committed; the retry with the same key then applies it again. The answer must be recorded in the same transaction as the effect.',
  },
  'idempotency-pending-after-crash': {
    owner: 'src/common/idempotency/idempotency.interceptor.ts (issue 10 item 4)',
    what:
      'A key whose request died with the process or its connection stays pending: its retry waits 30 s and gets 409 IDEMPOTENCY.IN_PROGRESS (later OUTCOME_UNKNOWN), so the client never learns whether it took effect.',
  },
} as const;

export type KnownDefect = keyof typeof KNOWN_DEFECTS;

export const STRICT = process.env.CHAOS_STRICT === '1';

/** What a spec found: known defects (reported) and anything else (fails). */
export class Findings {
  readonly known: { id: KnownDefect; detail: string }[] = [];
  readonly unknown: string[] = [];

  constructor(private readonly spec: string) {}

  add(id: KnownDefect | null, detail: string): void {
    if (id && id in KNOWN_DEFECTS) this.known.push({ id, detail });
    else this.unknown.push(detail);
  }

  /** Known defects seen, by id, as "id ×n". */
  summary(): string {
    const counts = new Map<string, number>();
    for (const k of this.known) counts.set(k.id, (counts.get(k.id) ?? 0) + 1);
    return [...counts.entries()].map(([id, n]) => `${id} ×${n}`).join(', ') || 'none';
  }

  /** Prints the known defects seen; returns the findings that must fail the test. */
  failing(): string[] {
    if (this.known.length) {
      const lines: string[] = [];
      for (const id of new Set(this.known.map((k) => k.id))) {
        const seen = this.known.filter((k) => k.id === id);
        lines.push(`  - ${id} ×${seen.length} (${KNOWN_DEFECTS[id].owner}), e.g.:`);
        for (const k of seen.slice(0, 3)) lines.push(`      ${k.detail.slice(0, 300)}`);
      }
      const text = `\nKNOWN DEFECTS SEEN in ${this.spec}${STRICT ? ' (CHAOS_STRICT=1: failing)' : ''}:\n${lines.join('\n')}\n`;
      process.stdout.write(text);
      if (process.env.CHAOS_FIGURES_FILE) appendFileSync(process.env.CHAOS_FIGURES_FILE, `${JSON.stringify({ spec: this.spec, knownDefects: this.known })}\n`);
    }
    return [...this.unknown, ...(STRICT ? this.known.map((k) => `${k.id}: ${k.detail}`) : [])];
  }
}

/** Unhandled rejections that are the ledger's lost connection promise (see the entry above). */
export function isLostConnectionRejection(line: string): boolean {
  return (
    /"event":"unhandledRejection"/.test(line) &&
    /the database system is (shutting down|starting up|in recovery mode)|terminating connection|Connection terminated|ECONNREFUSED|not queryable|timeout exceeded when trying to connect/.test(line)
  );
}
