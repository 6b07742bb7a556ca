import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule, TypeOrmModuleOptions } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { ALL_MIGRATIONS } from '../../../migrations';
import { EmbeddedPostgres } from './embedded-postgres';
import { installPgTypeParsers } from './pg-types';

/** Holds the embedded server (when there is one) so the app can stop it on shutdown. */
export class EmbeddedHolder {
  instance: EmbeddedPostgres | null = null;
}

/** One holder per application instance (tests start several apps in one process). */
@Global()
@Module({ providers: [{ provide: EmbeddedHolder, useFactory: () => new EmbeddedHolder() }], exports: [EmbeddedHolder] })
export class EmbeddedHolderModule {}

/**
 * Data source options shared by the app, scripts and benchmarks: one migration set, run at start,
 * `synchronize` never on (issue #2 item 2).
 */
export function dataSourceOptions(url: string, embedded: boolean) {
  return {
    type: 'postgres' as const,
    url,
    migrations: ALL_MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
    // The embedded server runs one query at a time; a small pool keeps queueing in our process.
    extra: { max: embedded ? 8 : 20 },
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

@Global()
@Module({
  imports: [
    EmbeddedHolderModule,
    TypeOrmModule.forRootAsync({
      imports: [EmbeddedHolderModule],
      inject: [APP_CONFIG, EmbeddedHolder],
      useFactory: async (config: AppConfig, holder: EmbeddedHolder): Promise<TypeOrmModuleOptions> => {
        installPgTypeParsers();
        const { url, embedded } = await resolveDatabaseUrl(config, holder);
        return { ...dataSourceOptions(url, embedded), autoLoadEntities: true, retryAttempts: embedded ? 1 : 5 };
      },
    }),
  ],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    @Inject(EmbeddedHolder) private readonly holder: EmbeddedHolder,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    // Close the pool first (TypeORM's own hook skips an already-closed source), then the embedded
    // server, so no connection is cut mid-query.
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    const instance = this.holder.instance;
    this.holder.instance = null;
    if (instance) await instance.stop();
  }
}
