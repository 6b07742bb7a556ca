import { ConfigError, loadConfig } from './app-config';

describe('loadConfig (issue #2 item 8)', () => {
  it('defaults: port 3000, embedded database under ./data/db, in-process jobs', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      databaseUrl: null,
      redisUrl: null,
      dataDir: './data/db',
      bootstrapAdminToken: null,
      logLevel: 'info',
      heartbeatSeconds: 60,
    });
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
