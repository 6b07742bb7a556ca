import { ConfigError, loadConfig } from './app-config';

describe('loadConfig (issue #2 item 8)', () => {
  it('defaults: port 3000, embedded database under ./data/db, in-process jobs', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      databaseUrl: null,
      databaseOwnerUrl: null,
      databaseReadUrl: null,
      readReplicaMaxLagMs: 5000,
      redisUrl: null,
      dataDir: './data/db',
      bootstrapAdminToken: null,
      logLevel: 'info',
      heartbeatSeconds: 60,
      maxJsonBodyBytes: 8 * 1024 * 1024,
      maxTextBodyBytes: 64 * 1024 * 1024,
      dbStatementTimeoutMs: 30_000,
      dbIdleInTransactionTimeoutMs: 60_000,
      dbConnectTimeoutMs: 15_000,
      heavyReadsMax: 4,
      jobScheduleCheckSeconds: 30,
      tokenTtlDays: 90,
      tokenCacheSeconds: 5,
      rateLimitPerMinute: 600,
      quarterCheckSeconds: 3600,
    });
  });

  it('reads the limits (issue 10): body sizes in MiB, timeouts in ms, and refuses nonsense', () => {
    const c = loadConfig({ MAX_JSON_BODY_MB: '2', MAX_TEXT_BODY_MB: '16', DB_STATEMENT_TIMEOUT_MS: '0', HEAVY_READS_MAX: '2' });
    expect(c).toMatchObject({ maxJsonBodyBytes: 2 * 1024 * 1024, maxTextBodyBytes: 16 * 1024 * 1024, dbStatementTimeoutMs: 0, heavyReadsMax: 2 });
    expect(() => loadConfig({ MAX_JSON_BODY_MB: '0', DB_CONNECT_TIMEOUT_MS: 'soon' })).toThrow(/MAX_JSON_BODY_MB[\s\S]*DB_CONNECT_TIMEOUT_MS/);
  });

  it('reads the token settings (issue #15): lifetime in days, cache in seconds (0 = no cache), and refuses nonsense', () => {
    expect(loadConfig({ TOKEN_TTL_DAYS: '30', TOKEN_CACHE_SECONDS: '0' })).toMatchObject({ tokenTtlDays: 30, tokenCacheSeconds: 0 });
    expect(() => loadConfig({ TOKEN_TTL_DAYS: '0', TOKEN_CACHE_SECONDS: '61' })).toThrow(/TOKEN_TTL_DAYS[\s\S]*TOKEN_CACHE_SECONDS/);
  });

  it('reads the read replica (issue 19): DATABASE_READ_URL needs DATABASE_URL; the staleness bound in ms', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://h/p', DATABASE_READ_URL: 'postgres://r/p', READ_REPLICA_MAX_LAG_MS: '2000' })).toMatchObject({
      databaseReadUrl: 'postgres://r/p',
      readReplicaMaxLagMs: 2000,
    });
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://r/p' })).toThrow(/DATABASE_READ_URL needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://h/p', DATABASE_READ_URL: 'mysql://r/p', READ_REPLICA_MAX_LAG_MS: '50' })).toThrow(/DATABASE_READ_URL must start[\s\S]*READ_REPLICA_MAX_LAG_MS/);
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u@h:5432/db',
      REDIS_URL: 'redis://127.0.0.1:6379',
      DATA_DIR: '/var/lib/rf',
      BOOTSTRAP_ADMIN_TOKEN: 'a-very-long-token-value',
      LOG_LEVEL: 'warn',
      HEARTBEAT_SECONDS: '0',
    });
    expect(c).toMatchObject({ port: 8080, databaseUrl: 'postgres://u@h:5432/db', heartbeatSeconds: 0, logLevel: 'warn' });
  });

  it('the owner role for migrations (issue 10 item 6): DATABASE_OWNER_URL or MIGRATIONS_DATABASE_URL, only beside DATABASE_URL', () => {
    const app = 'postgres://rf_app@h:5432/db';
    const owner = 'postgres://rf_owner@h:5432/db';
    expect(loadConfig({ DATABASE_URL: app, DATABASE_OWNER_URL: owner })).toMatchObject({ databaseUrl: app, databaseOwnerUrl: owner });
    expect(loadConfig({ DATABASE_URL: app, MIGRATIONS_DATABASE_URL: owner })).toMatchObject({ databaseOwnerUrl: owner });
    expect(loadConfig({ DATABASE_URL: app })).toMatchObject({ databaseOwnerUrl: null });
    expect(() => loadConfig({ DATABASE_OWNER_URL: owner })).toThrow(/DATABASE_OWNER_URL needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: app, DATABASE_OWNER_URL: owner, MIGRATIONS_DATABASE_URL: app })).toThrow(/differ; set one of them/);
    expect(() => loadConfig({ DATABASE_URL: app, DATABASE_OWNER_URL: 'mysql://x' })).toThrow(/DATABASE_OWNER_URL must start with postgres/);
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', BOOTSTRAP_ADMIN_TOKEN: 'short' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems).toHaveLength(4);
      expect((e as ConfigError).message).toContain('PORT must be an integer');
    }
  });
});
