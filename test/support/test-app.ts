import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap';
import { AppConfig } from '../../src/config/app-config';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface TestApp {
  app: INestApplication;
  http: TestAgent;
  dataSource: DataSource;
  /** `Authorization` header value of the bootstrap trustee token. */
  auth: string;
  close(): Promise<void>;
}

/**
 * Starts the whole service as `npm start` does, on DATABASE_URL / REDIS_URL when the environment
 * sets them (CI's real servers) or on an in-memory embedded database and in-process jobs.
 */
export async function startTestApp(config: Partial<AppConfig> = {}): Promise<TestApp> {
  const app = await createApp(
    {
      config: {
        databaseUrl: process.env.DATABASE_URL || null,
        redisUrl: process.env.REDIS_URL || null,
        dataDir: ':memory:',
        bootstrapAdminToken: ADMIN_TOKEN,
        logLevel: 'silent',
        heartbeatSeconds: 0,
        ...config,
      },
      jobsPrefix: `test-${randomUUID().slice(0, 8)}`,
    },
    false,
  );
  await app.init();
  const http = request(app.getHttpServer());
  return {
    app,
    http,
    dataSource: app.get(DataSource),
    auth: `Bearer ${ADMIN_TOKEN}`,
    close: () => app.close(),
  };
}

/** A unique, readable code for rows a test creates (the real-database suite shares one schema). */
export function uniqueCode(prefix: string): string {
  return `${prefix}${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
}
