import { ReadReplica } from '../common/database/read-replica';
import { SkipThrottle } from '@nestjs/throttler';
import { Controller, Get, OnApplicationShutdown, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { Public } from '../common/access/principal';
import { DatabaseProbe } from '../common/database/database-probe';
import { DatabaseRolesHolder } from '../common/database/application-role';
import { EmbeddedHolder } from '../common/database/database.module';
import { HolidaysService } from '../holidays/holidays.service';
import { JobsStatusService } from '../jobs/jobs-status.service';
import { withinTime } from '../common/runtime/within-time';

/** Each probe gets this long; a part that has not answered by then is reported `down`. */
export const HEALTH_PROBE_TIMEOUT_MS = 500;

@ApiTags('Operations')
@SkipThrottle()
@Controller('health')
export class HealthController implements OnApplicationShutdown {
  private probe: DatabaseProbe | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobsStatusService,
    private readonly embedded: EmbeddedHolder,
    private readonly holidays: HolidaysService,
    private readonly roles: DatabaseRolesHolder,
    private readonly replica: ReadReplica,
  ) {}

  /**
   * Answers within about a second whatever is down (issue 10 item 7): the database and the queue
   * are probed at the same time, each for at most HEALTH_PROBE_TIMEOUT_MS; a probe that fails or
   * does not answer in time reports its part `down` (503 overall). The database is probed on a
   * connection of its own (busy pooled connections do not make it look down); the pool's figures
   * show how busy the service is.
   */
  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness and readiness: database and job queue (no token needed); answers within 1 s.' })
  async health(@Res({ passthrough: true }) res: Response) {
    const probe = this.databaseProbe();
    const [db, queue] = await Promise.all([
      // One round trip: reading the scheduler's heartbeat row is the database's answer.
      withinTime(() => this.jobs.lastHeartbeat((sql, params) => probe.query(sql, params)), HEALTH_PROBE_TIMEOUT_MS),
      withinTime(() => this.jobs.queueHealthy(), HEALTH_PROBE_TIMEOUT_MS),
    ]);
    const database = db.ok ? 'up' : 'down';
    const queueStatus = queue.ok && queue.value ? 'up' : 'down';
    const ok = database === 'up' && queueStatus === 'up';
    res.status(ok ? 200 : 503);
    return {
      status: ok ? 'ok' : 'degraded',
      // Which roles run migrations and the service (issue 10 item 6, docs/operations.md "Database roles").
      database: {
        status: database,
        embedded: this.embedded.instance !== null,
        pool: this.poolFigures(),
        roles: this.roles.roles,
        // With DATABASE_READ_URL only: whether the replica is connected and how stale it may be (docs/scaling.md).
        ...(this.replica.configured ? { replica: this.replica.status() } : {}),
      },
      queue: { status: queueStatus, mode: this.jobs.mode, lastHeartbeat: db.ok ? db.value : null },
      // RULES §9: a warning, not a failure, when the current or next year has no published holidays.
      calendar: this.holidays.status(),
    };
  }

  private databaseProbe(): DatabaseProbe {
    if (!this.probe) {
      const url = (this.dataSource.options as { url?: string }).url as string;
      this.probe = new DatabaseProbe(url, this.embedded.instance ? null : 2_000);
    }
    return this.probe;
  }

  /** Connections of the pool: open, idle, and requests waiting for one. */
  private poolFigures(): { size: number; idle: number; waiting: number } | null {
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool | undefined;
    return pool ? { size: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : null;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.probe?.close();
  }
}
