import { appendFileSync } from 'node:fs';

/** A defect the battery knows of: who owns the fix, what must change, and whether it is tolerated meanwhile. */
export interface KnownDefectEntry {
  owner: string;
  what: string;
  /** Why the run does not fail on it by default while its fix is under way. */
  tolerated?: string;
}

/**
 * Defects the battery finds whose fix belongs to another module, each with its owner and what
 * must change. The battery is strict by default: any finding fails the run, a known one too,
 * except an entry marked `tolerated` (printed and counted, not failing). CHAOS_STRICT=1 fails on
 * tolerated entries as well; CHAOS_STRICT=0 only reports known defects (for investigating).
 * When a fix lands, delete its entry here. docs/reliability.md, "What remains", lists the same
 * entries.
 */
export const KNOWN_DEFECTS = {
  // None at the moment: every defect the battery found has been fixed (docs/reliability.md).
} as const satisfies Record<string, KnownDefectEntry>;

export type KnownDefect = keyof typeof KNOWN_DEFECTS;

const entryOf = (id: KnownDefect): KnownDefectEntry => KNOWN_DEFECTS[id];

/** '1': fail on every known defect; '0': fail on none of them (report only); unset: fail unless tolerated. */
export const STRICTNESS: 'all' | 'default' | 'report' = process.env.CHAOS_STRICT === '1' ? 'all' : process.env.CHAOS_STRICT === '0' ? 'report' : 'default';

function failsRun(id: KnownDefect): boolean {
  return STRICTNESS === 'all' || (STRICTNESS === 'default' && !entryOf(id).tolerated);
}

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
        lines.push(`  - ${id} ×${seen.length} (${entryOf(id).owner})${failsRun(id) ? '' : ` tolerated: ${entryOf(id).tolerated}`}, e.g.:`);
        for (const k of seen.slice(0, 3)) lines.push(`      ${k.detail.slice(0, 300)}`);
      }
      const text = `\nKNOWN DEFECTS SEEN in ${this.spec} (${STRICTNESS === 'report' ? 'CHAOS_STRICT=0: reported only' : 'failing unless tolerated'}):\n${lines.join('\n')}\n`;
      process.stdout.write(text);
      if (process.env.CHAOS_FIGURES_FILE) appendFileSync(process.env.CHAOS_FIGURES_FILE, `${JSON.stringify({ spec: this.spec, knownDefects: this.known })}\n`);
    }
    return [...this.unknown, ...this.known.filter((k) => failsRun(k.id)).map((k) => `${k.id} (known, ${entryOf(k.id).owner}): ${k.detail}`)];
  }
}

/** Unhandled rejections caused by a lost database connection (any such line fails the run). */
export function isLostConnectionRejection(line: string): boolean {
  return (
    /"event":"unhandledRejection"/.test(line) &&
    /the database system is (shutting down|starting up|in recovery mode)|terminating connection|Connection terminated|ECONNREFUSED|not queryable|timeout exceeded when trying to connect/.test(line)
  );
}
