import { randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { AuthService } from '../../src/auth/auth.service';
import { createApp } from '../../src/bootstrap';
import { AppConfig } from '../../src/config/app-config';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface TestApp {
  app: INestApplication;
  http: TestAgent;
  dataSource: DataSource;
  /** `Authorization` header value of the bootstrap trustee token. */
  auth: string;
  /**
   * `Authorization` header value of an approver token: approval batches are checked by another
   * token than the trustee's that recommended the claims (four eyes, issue #15).
   */
  approver: string;
  close(): Promise<void>;
}

/**
 * Starts the whole service as `npm start` does, on DATABASE_URL / REDIS_URL when the environment
 * sets them (CI's real servers) or on an in-memory embedded database and in-process jobs.
 */
export async function startTestApp(config: Partial<AppConfig> = {}, options: { logDestination?: NodeJS.WritableStream; jobsPrefix?: string } = {}): Promise<TestApp> {
  const app = await createApp(
    {
      config: {
        databaseUrl: process.env.DATABASE_URL || null,
        redisUrl: process.env.REDIS_URL || null,
        dataDir: ':memory:',
        bootstrapAdminToken: ADMIN_TOKEN,
        logLevel: 'silent',
        heartbeatSeconds: 0,
        // Suites send many requests with one token; the rate-limit spec turns it on.
        rateLimitPerMinute: 0,
        quarterCheckSeconds: 0,
        ...config,
      },
      // Its own queue and rate-limit keys, unless a test runs two instances as one service.
      jobsPrefix: options.jobsPrefix ?? `test-${randomUUID().slice(0, 8)}`,
      logDestination: options.logDestination,
    },
    false,
  );
  await app.init();
  const http = request(app.getHttpServer());
  const approver = await app.get(AuthService).issue('approver', null, 'test approver');
  return {
    app,
    http,
    dataSource: app.get(DataSource),
    auth: `Bearer ${ADMIN_TOKEN}`,
    approver: `Bearer ${approver.token}`,
    close: () => app.close(),
  };
}

/**
 * Like startTestApp, but on a database of its own: for tests whose figures depend on the whole
 * book (e.g. a payout waterfall draws from every bank's reserve account), which other test files
 * sharing the real-database schema would disturb. With DATABASE_URL set, a fresh database is
 * created on the same server and dropped on close; the embedded default is per-app already.
 */
export async function startIsolatedTestApp(config: Partial<AppConfig> = {}): Promise<TestApp> {
  const base = process.env.DATABASE_URL;
  if (!base) return startTestApp(config);
  const name = `rf_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  const t = await startTestApp({ ...config, databaseUrl: url.toString() });
  return {
    ...t,
    close: async () => {
      await t.close();
      const drop = new Client({ connectionString: base });
      await drop.connect();
      try {
        await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await drop.end();
      }
    },
  };
}

/** A unique, readable code for rows a test creates (the real-database suite shares one schema). */
export function uniqueCode(prefix: string): string {
  return `${prefix}${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`;
}
