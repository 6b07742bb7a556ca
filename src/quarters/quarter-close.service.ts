import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isValidQuarter, previousQuarter, quarterLastDay, quarterOf } from '../common/calendar/quarter';
import { Clock } from '../common/clock/clock';
import { TransactionScope } from '../common/database/transaction-scope';
import { DomainError } from '../common/errors/domain-error';
import { PolicyService } from '../programme/policy.service';
import { QUARTER_DUTIES, type QuarterDuty, dutyDueDates, orderProblem } from './domain/quarter-duties';
import { QuarterDutiesService } from './quarter-duties.service';
import { QuarterDutyRow, QuarterRun, type QuarterRunStatus } from './quarter-run.entity';
import { QUARTER_ERRORS } from './quarters.errors';
import { faultPoint } from './fault-points';

export type RunTrigger = 'hand' | 'schedule' | 'catch-up';

/**
 * The quarter close (issue 12): one run per quarter, one row per duty (unique quarter × duty).
 *
 * Exactly once: a duty's work and the update of its row to `done` commit in one transaction, which
 * first locks the row (`FOR UPDATE`) and does nothing when it is `done` already. A schedule, a
 * hand-started run and a start-up catch-up may race or overlap: the second waits on the lock and
 * then finds the duty done. A crash anywhere rolls the duty's transaction back, and the next run
 * (by hand, schedule or catch-up) applies it again from the start. A duty that throws is recorded as
 * `failed` with its error (in a transaction of its own) and the run stops there; the next run
 * retries it and goes on, never re-running a duty that is done.
 */
@Injectable()
export class QuarterCloseService {
  private readonly logger = new Logger('QuarterClose');

  constructor(
    private readonly tx: TransactionScope,
    private readonly dataSource: DataSource,
    private readonly duties: QuarterDutiesService,
    private readonly policies: PolicyService,
    private readonly clock: Clock,
  ) {}

  assertQuarter(quarter: string): void {
    if (!isValidQuarter(quarter)) {
      throw DomainError.invalid(QUARTER_ERRORS.INVALID_QUARTER, `"${quarter}" is not a quarter written YYYYQn (e.g. 2025Q2).`, [
        { code: QUARTER_ERRORS.INVALID_QUARTER, field: 'quarter', message: 'expected YYYYQ1..YYYYQ4' },
      ]);
    }
  }

  /** The due day of every duty of `quarter` under the policy in force at its end. */
  dueDates(quarter: string): Record<QuarterDuty, string> {
    const policy = this.policies.versionFor(quarterLastDay(quarter));
    return dutyDueDates(quarter, { reportDueDay: policy.bankReportDueDay, lossRateDueDay: policy.lossRateDueDay });
  }

  private async runs(): Promise<QuarterRun[]> {
    return this.dataSource.manager.find(QuarterRun, { order: { quarter: 'ASC' } });
  }

  /**
   * Starts (or resumes) the close of `quarter` and runs every duty that is due; returns nothing —
   * the caller reads the run with `view`. Order and dates (issue 12): a quarter that has not ended
   * → 409; quarters close in order (an earlier quarter not closed or still open is named, 409);
   * a closed quarter is never closed again (its duties are done: nothing runs).
   */
  async close(quarter: string, trigger: RunTrigger): Promise<void> {
    this.assertQuarter(quarter);
    const today = this.clock.today();
    const runs = await this.runs();
    if (!runs.some((r) => r.quarter === quarter)) {
      // A refusal writes nothing: an open earlier quarter is named (409), not resumed here; the
      // caller closes it first (the schedule's pass resumes open runs before starting new ones).
      this.assertOrder(quarter, today, runs);
      await this.start(quarter, trigger);
    }
    await this.runDue(quarter);
  }

  private assertOrder(quarter: string, today: string, runs: QuarterRun[]): void {
    const problem = orderProblem(quarter, today, runs, previousQuarter);
    if (!problem) return;
    switch (problem.code) {
      case 'NOT_ENDED':
        throw DomainError.conflict(QUARTER_ERRORS.NOT_ENDED, `Quarter ${quarter} has not ended: it ends on ${problem.endsOn}.`, [
          { code: QUARTER_ERRORS.NOT_ENDED, field: 'quarter', message: `ends on ${problem.endsOn}; today is ${today}` },
        ]);
      case 'LATER_QUARTER_STARTED':
        throw DomainError.conflict(QUARTER_ERRORS.OUT_OF_ORDER, `Quarter ${problem.later} is already closed or closing: ${quarter} cannot be closed after it.`, [
          { code: QUARTER_ERRORS.OUT_OF_ORDER, field: 'quarter', message: `later run ${problem.later}` },
        ]);
      case 'PREVIOUS_MISSING':
        throw DomainError.conflict(QUARTER_ERRORS.PREVIOUS_MISSING, `Quarter ${problem.missing} has not been closed: close it before ${quarter}.`, [
          { code: QUARTER_ERRORS.PREVIOUS_MISSING, field: 'quarter', message: `missing ${problem.missing}`, missing: problem.missing },
        ]);
      case 'PREVIOUS_OPEN':
        throw DomainError.conflict(QUARTER_ERRORS.PREVIOUS_OPEN, `Quarter ${problem.open} is still open (a duty is not done yet): ${quarter} waits for it.`, [
          { code: QUARTER_ERRORS.PREVIOUS_OPEN, field: 'quarter', message: `open ${problem.open}`, open: problem.open },
        ]);
    }
  }

  /**
   * Creates the run and its duty rows (idempotent: a concurrent start inserts nothing more). The
   * order is checked again under a lock on the run table's starts, so that two first closes of
   * different quarters asked at once cannot both pass the check made without it.
   */
  private async start(quarter: string, trigger: RunTrigger): Promise<void> {
    const due = this.dueDates(quarter);
    await this.tx.runDetached(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('quarter-runs:start'))`);
      const runs = await m.find(QuarterRun, { order: { quarter: 'ASC' } });
      if (runs.some((r) => r.quarter === quarter)) return;
      this.assertOrder(quarter, this.clock.today(), runs);
      await m.query(`INSERT INTO quarter_runs (quarter, status, started_by, started_at) VALUES ($1, 'running', $2, $3) ON CONFLICT (quarter) DO NOTHING`, [
        quarter,
        trigger,
        this.clock.now().toISOString(),
      ]);
      for (const [i, duty] of QUARTER_DUTIES.entries()) {
        await m.query(
          `INSERT INTO quarter_duties (quarter, duty, position, due_on, status) VALUES ($1, $2, $3, $4, 'pending') ON CONFLICT (quarter, duty) DO NOTHING`,
          [quarter, duty, i + 1, due[duty]],
        );
      }
    });
    faultPoint('run:started');
  }

  /** Runs the duties of `quarter` that are due today and not done, in order; stops at the first failure. */
  async runDue(quarter: string): Promise<void> {
    const today = this.clock.today();
    const rows = await this.dataSource.manager.find(QuarterDutyRow, { where: { quarter }, order: { position: 'ASC' } });
    this.duties.beginPass();
    try {
      for (const row of rows) {
        if (row.status === 'done') continue;
        if (row.dueOn > today) break;
        const ok = await this.runDuty(quarter, row.duty as QuarterDuty);
        if (!ok) break;
      }
    } finally {
      this.duties.endPass();
    }
    await this.settleRun(quarter);
  }

  /** One duty, exactly once. Returns false when it failed (recorded on its row). */
  private async runDuty(quarter: string, duty: QuarterDuty): Promise<boolean> {
    const marked = (await this.dataSource.query(
      `UPDATE quarter_duties SET status = 'running', started_at = $3
        WHERE quarter = $1 AND duty = $2 AND status <> 'done' RETURNING due_on::text AS due_on`,
      [quarter, duty, this.clock.now().toISOString()],
    )) as [{ due_on: string }[], number] | { due_on: string }[];
    const markedRows = Array.isArray(marked[0]) ? (marked[0] as { due_on: string }[]) : (marked as { due_on: string }[]);
    if (!markedRows.length) return true;
    faultPoint(`${duty}:before`);
    try {
      await this.tx.runDetached(async (m) => {
        const row = await this.lockDuty(m, quarter, duty);
        if (row.status === 'done') return;
        const result = await this.duties.run(duty, quarter, row.dueOn);
        faultPoint(`${duty}:inside`);
        // `attempts` counts the attempts that committed: the successful one here, failed ones below.
        await m.query(`UPDATE quarter_duties SET status = 'done', attempts = attempts + 1, result = $3, finished_at = $4, error = NULL WHERE quarter = $1 AND duty = $2`, [
          quarter,
          duty,
          JSON.stringify(result),
          this.clock.now().toISOString(),
        ]);
      });
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.logger.error(`quarter ${quarter} duty ${duty} failed: ${message}`);
      await this.dataSource.query(`UPDATE quarter_duties SET status = 'failed', attempts = attempts + 1, error = $3, finished_at = $4 WHERE quarter = $1 AND duty = $2 AND status <> 'done'`, [
        quarter,
        duty,
        message.slice(0, 2000),
        this.clock.now().toISOString(),
      ]);
      return false;
    }
    faultPoint(`${duty}:after`);
    return true;
  }

  private async lockDuty(m: EntityManager, quarter: string, duty: string): Promise<QuarterDutyRow> {
    const row = await m.findOne(QuarterDutyRow, { where: { quarter, duty }, lock: { mode: 'pessimistic_write' } });
    if (!row) throw new Error(`no duty row ${quarter}/${duty}`);
    return row;
  }

  /** The run's status from its duties: completed when all are done, failed when one failed, else running. */
  private async settleRun(quarter: string): Promise<void> {
    const rows = await this.dataSource.manager.find(QuarterDutyRow, { where: { quarter } });
    const status: QuarterRunStatus = rows.every((r) => r.status === 'done') ? 'completed' : rows.some((r) => r.status === 'failed') ? 'failed' : 'running';
    await this.dataSource.query(
      `UPDATE quarter_runs SET status = $2, finished_at = CASE WHEN $2 = 'completed' THEN coalesce(finished_at, $3::timestamptz) ELSE NULL END WHERE quarter = $1`,
      [quarter, status, this.clock.now().toISOString()],
    );
  }

  /**
   * The quarters whose duties may be due today, for the schedule and the start-up catch-up: the
   * open runs, then each quarter after the latest run up to the last ended one. With no run at all,
   * none (Decision: the first close is by hand).
   */
  async quartersToAdvance(): Promise<string[]> {
    const today = this.clock.today();
    const lastEnded = previousQuarter(quarterOf(today));
    const runs = await this.runs();
    // The first close is started by hand: it decides the quarter the programme's books start from.
    if (!runs.length) return [];
    const out = runs.filter((r) => r.status !== 'completed').map((r) => r.quarter);
    let q = runs[runs.length - 1].quarter;
    while (q < lastEnded) {
      q = nextQuarterOf(q);
      if (!out.includes(q)) out.push(q);
    }
    return out;
  }

  /** The schedule's and the catch-up's pass: advances every quarter that may be due, in order. */
  async advance(trigger: RunTrigger): Promise<string[]> {
    const done: string[] = [];
    for (const q of await this.quartersToAdvance()) {
      const run = (await this.runs()).find((r) => r.quarter === q);
      if (run) {
        await this.runDue(q);
      } else {
        // A new run only when its first duty is due (the quarter has ended) and the order allows it.
        const today = this.clock.today();
        if (this.dueDates(q).custody_fee > today) break;
        try {
          await this.close(q, trigger);
        } catch (error) {
          if (error instanceof DomainError) break;
          throw error;
        }
      }
      const after = (await this.runs()).find((r) => r.quarter === q);
      if (!after || after.status !== 'completed') {
        done.push(q);
        break;
      }
      done.push(q);
    }
    return done;
  }
}

function nextQuarterOf(q: string): string {
  const [y, n] = [Number(q.slice(0, 4)), Number(q.slice(5))];
  return n === 4 ? `${y + 1}Q1` : `${y}Q${n + 1}`;
}
