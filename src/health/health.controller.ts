import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../common/access/principal';
import { EmbeddedHolder } from '../common/database/database.module';
import { JobsStatusService } from '../jobs/jobs-status.service';
import { HolidaysService } from '../holidays/holidays.service';

@ApiTags('Operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobsStatusService,
    private readonly embedded: EmbeddedHolder,
    private readonly holidays: HolidaysService,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness and readiness: database and job queue (no token needed).' })
  async health(@Res({ passthrough: true }) res: Response) {
    let database = 'up';
    let lastHeartbeat: { beatAt: string; beats: number } | null = null;
    try {
      await this.dataSource.query('SELECT 1');
      lastHeartbeat = await this.jobs.lastHeartbeat();
    } catch {
      database = 'down';
    }
    const queue = (await this.jobs.queueHealthy()) ? 'up' : 'down';
    const ok = database === 'up' && queue === 'up';
    res.status(ok ? 200 : 503);
    return {
      status: ok ? 'ok' : 'degraded',
      database: { status: database, embedded: this.embedded.instance !== null },
      queue: { status: queue, mode: this.jobs.mode, lastHeartbeat },
      // RULES §9: a warning, not a failure, when the current or next year has no published holidays.
      calendar: this.holidays.status(),
    };
  }
}
