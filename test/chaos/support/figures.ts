import { appendFileSync } from 'node:fs';

/**
 * The battery's measured figures, printed as one table per spec at the end (and appended as JSON
 * lines to CHAOS_FIGURES_FILE when set), for docs/reliability.md.
 */
export class Figures {
  private readonly rows: Record<string, string | number>[] = [];

  constructor(private readonly spec: string) {}

  add(row: Record<string, string | number>): void {
    this.rows.push(row);
    if (process.env.CHAOS_FIGURES_FILE) appendFileSync(process.env.CHAOS_FIGURES_FILE, `${JSON.stringify({ spec: this.spec, ...row })}\n`);
  }

  print(): void {
    if (!this.rows.length) return;
    const columns = [...new Set(this.rows.flatMap((r) => Object.keys(r)))];
    const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
    const table = [line(columns), line(columns.map(() => '---')), ...this.rows.map((r) => line(columns.map((c) => r[c] ?? '')))].join('\n');
    process.stdout.write(`\n${this.spec}\n${table}\n`);
  }
}

export const seconds = (ms: number) => Number((ms / 1000).toFixed(2));
