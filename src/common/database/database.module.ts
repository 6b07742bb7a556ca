import { Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule, TypeOrmModuleOptions } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions, MigrationExecutor } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { ALL_MIGRATIONS } from '../../../migrations';
import { DatabaseRolesHolder, describeRoles, migrateAsOwner } from './application-role';
import { EmbeddedPostgres } from './embedded-postgres';
import { SYSTEM_PARTY_STARTUP_OPTION } from './party-wall';
import { installPgTypeParsers } from './pg-types';
import { ResilientPgClient } from './resilient-pg';

/** Holds the embedded server (when there is one) so the app can stop it on shutdown. */
export class EmbeddedHolder {
  instance: EmbeddedPostgres | null = null;
}

/** One holder of each per application instance (tests start several apps in one process). */
@Global()
@Module({
  providers: [
    { provide: EmbeddedHolder, useFactory: () => new EmbeddedHolder() },
    { provide: DatabaseRolesHolder, useFactory: () => new DatabaseRolesHolder() },
  ],
  exports: [EmbeddedHolder, DatabaseRolesHolder],
})
export class EmbeddedHolderModule {}

export interface ConnectionLimits {
  /** `statement_timeout` of every connection to a real server, ms; 0 = none. */
  statementTimeoutMs: number;
  /** `idle_in_transaction_session_timeout` of every connection to a real server, ms; 0 = none. */
  idleInTransactionTimeoutMs: number;
  /** Longest wait for a new connection or a free pooled one, ms (then 503). */
  connectTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { statementTimeoutMs: 30_000, idleInTransactionTimeoutMs: 60_000, connectTimeoutMs: 15_000 };

/**
 * Data source options shared by the app, scripts and benchmarks: one migration set, run at start,
 * `synchronize` never on (issue #2 item 2).
 *
 * Connections survive a database that goes away (issue 10 items 3 and 4, docs/reliability.md):
 * every pooled client has an `'error'` listener from birth (ResilientPgClient), so a terminated
 * backend or a restart never crashes the process; a request waits at most `connectTimeoutMs` for
 * a connection (then it is answered 503, not queued forever); TCP keep-alive notices a vanished
 * server. On a real server every connection also gets `statement_timeout` (a backstop against a
 * runaway statement holding a connection) and `idle_in_transaction_session_timeout` (a
 * transaction left open by a crashed request cannot hold its locks for ever), and
 * `app.party_type = system` (row-level security, party-wall.ts). The embedded server runs every
 * connection on one session, where such settings would be global; it gets none of them (the party
 * setting is made once on its session, TransactionScope.onModuleInit).
 */
export function dataSourceOptions(url: string, embedded: boolean, limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS) {
  const serverSettings = embedded
    ? {}
    : {
        ...(limits.statementTimeoutMs > 0 ? { statement_timeout: limits.statementTimeoutMs } : {}),
        ...(limits.idleInTransactionTimeoutMs > 0 ? { idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs } : {}),
        // Unrestricted by an explicit setting (row-level security, party-wall.ts); a bank's or an
        // agency's transaction narrows it with set_config(…, true).
        options: SYSTEM_PARTY_STARTUP_OPTION,
      };
  return {
    type: 'postgres' as const,
    url,
    migrations: ALL_MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    // The embedded server runs one query at a time; a small pool keeps queueing in our process.
    extra: {
      max: embedded ? 8 : 20,
      Client: ResilientPgClient,
      connectionTimeoutMillis: limits.connectTimeoutMs,
      keepAlive: true,
      ...serverSettings,
    },
    // Failed queries surface as errors: expected ones (a refused posting, a duplicate) become 4xx,
    // unexpected ones are logged with their stack by the HTTP error filter. TypeORM's own
    // query-error log would print every expected refusal too.
    logging: false,
  };
}

export async function resolveDatabaseUrl(
  config: AppConfig,
  holder: EmbeddedHolder,
): Promise<{ url: string; embedded: boolean }> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false };
  const started = await EmbeddedPostgres.start(config.dataDir);
  holder.instance = started;
  new Logger('Database').log(`embedded PostgreSQL (PGlite) at ${started.dataDir}`);
  return { url: started.url, embedded: true };
}

/**
 * Initialises the data source, then applies pending migrations on one connection with
 * `statement_timeout` lifted: a migration may legitimately run longer than the backstop that
 * guards requests (an index built on a large journal), and a half-applied migration at start-up is
 * worse than a slow one. Same migrations and transaction mode (`each`) as `migrationsRun`.
 */
async function initializeAndMigrate(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = new DataSource({ ...options, migrationsRun: false } as DataSourceOptions);
  await dataSource.initialize();
  // Migrations already ran as the owner role (DATABASE_OWNER_URL, application-role.ts).
  if (options.migrationsRun === false) return dataSource;
  const runner = dataSource.createQueryRunner();
  const lifted = Boolean((options.extra as { statement_timeout?: number } | undefined)?.statement_timeout);
  try {
    if (lifted) await runner.query('SET statement_timeout = 0');
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'each';
    await executor.executePendingMigrations();
    if (lifted) await runner.query('RESET statement_timeout');
  } catch (error) {
    await runner.release();
    await dataSource.destroy();
    throw error;
  }
  await runner.release();
  return dataSource;
}

@Global()
@Module({
  imports: [
    EmbeddedHolderModule,
    TypeOrmModule.forRootAsync({
      imports: [EmbeddedHolderModule],
      inject: [APP_CONFIG, EmbeddedHolder, DatabaseRolesHolder],
      useFactory: async (config: AppConfig, holder: EmbeddedHolder, roles: DatabaseRolesHolder): Promise<TypeOrmModuleOptions> => {
        installPgTypeParsers();
        const { url, embedded } = await resolveDatabaseUrl(config, holder);
        const limits = {
          statementTimeoutMs: config.dbStatementTimeoutMs,
          idleInTransactionTimeoutMs: config.dbIdleInTransactionTimeoutMs,
          connectTimeoutMs: config.dbConnectTimeoutMs,
        };
        const options = { ...dataSourceOptions(url, embedded, limits), autoLoadEntities: true, retryAttempts: embedded ? 1 : 5 };
        if (embedded || !config.databaseOwnerUrl) {
          roles.roles = { mode: embedded ? 'embedded' : 'single', service: null, migrations: null, warnings: [] };
          return options;
        }
        // Two roles (issue 10 item 6): migrations and grants as the owner, then the service's
        // pool as the application role, which runs no migration.
        const ran = await migrateAsOwner(dataSourceOptions(config.databaseOwnerUrl, false, limits) as DataSourceOptions, url);
        roles.roles = { mode: 'separate', service: ran.service, migrations: ran.owner, warnings: [] };
        return { ...options, migrationsRun: false };
      },
      dataSourceFactory: async (options) => initializeAndMigrate(options as DataSourceOptions),
    }),
  ],
})
export class DatabaseModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(EmbeddedHolder) private readonly holder: EmbeddedHolder,
    @Inject(DatabaseRolesHolder) private readonly roles: DatabaseRolesHolder,
    private readonly dataSource: DataSource,
  ) {}

  /** Says once, in the log and then in /health, which roles run migrations and the service. */
  async onModuleInit(): Promise<void> {
    const { mode, migrations } = this.roles.roles;
    this.roles.roles = await describeRoles(this.dataSource, mode, migrations);
  }

  async onApplicationShutdown(): Promise<void> {
    // Close the pool first (TypeORM's own hook skips an already-closed source), then the embedded
    // server, so no connection is cut mid-query.
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    const instance = this.holder.instance;
    this.holder.instance = null;
    if (instance) await instance.stop();
  }
}
