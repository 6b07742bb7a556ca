import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BullJobQueue, BullJobsWorker, JOBS_QUEUE } from './bull-job-queue';
import { HeartbeatProcessor } from './heartbeat';
import { InProcessJobQueue } from './in-process-job-queue';
import { JobHeartbeat } from './job-heartbeat.entity';
import { JobQueue, JobRegistry } from './job-registry';
import { JobsStatusService } from './jobs-status.service';

export interface JobsOptions {
  redisUrl: string | null;
  /** BullMQ key prefix; tests give each app its own. */
  prefix?: string;
}

function redisConnection(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

/**
 * Jobs (issue #2 item 3): BullMQ through @nestjs/bullmq when REDIS_URL is set; otherwise an
 * in-process runner. Both dispatch to the same processors through JobRegistry.
 */
@Global()
@Module({})
export class JobsModule {
  static forRoot(options: JobsOptions): DynamicModule {
    const common = [JobRegistry, HeartbeatProcessor, JobsStatusService];
    if (options.redisUrl) {
      return {
        module: JobsModule,
        imports: [
          TypeOrmModule.forFeature([JobHeartbeat]),
          BullModule.forRoot({ connection: redisConnection(options.redisUrl), prefix: options.prefix ?? 'reserve' }),
          BullModule.registerQueue({ name: JOBS_QUEUE }),
        ],
        providers: [...common, BullJobsWorker, BullJobQueue, { provide: JobQueue, useExisting: BullJobQueue }],
        exports: [JobRegistry, JobQueue, HeartbeatProcessor, JobsStatusService],
      };
    }
    return {
      module: JobsModule,
      imports: [TypeOrmModule.forFeature([JobHeartbeat])],
      providers: [...common, InProcessJobQueue, { provide: JobQueue, useExisting: InProcessJobQueue }],
      exports: [JobRegistry, JobQueue, HeartbeatProcessor, JobsStatusService],
    };
  }
}
