import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { dataSourceOptions } from '../../src/common/database/database.module';
import { EmbeddedPostgres } from '../../src/common/database/embedded-postgres';
import { installPgTypeParsers } from '../../src/common/database/pg-types';
import { resetPublicSchema } from './reset-schema';

/**
 * With DATABASE_URL set, the suite runs against that real PostgreSQL: the schema is reset once
 * per run, then every app the tests start applies the migrations (issue #2 item 12). Without it,
 * each app starts its own in-memory embedded database — from the data directory written here once
 * per run with every migration applied (EMBEDDED_TEMPLATE, read by embedded-environment.js; `off` turns it off), so
 * a test app skips initdb and the migrations. The apps still run the migration check on start
 * (nothing pending) and their own start-up work, as `npm start` does.
 */
export default async function globalSetup(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    if (process.env.EMBEDDED_TEMPLATE === 'off') return;
    process.env.EMBEDDED_TEMPLATE = await writeEmbeddedTemplate();
    return;
  }
  await resetPublicSchema(url);
}

async function writeEmbeddedTemplate(): Promise<string> {
  installPgTypeParsers();
  const embedded = await EmbeddedPostgres.start(':memory:');
  try {
    const dataSource = new DataSource({ ...dataSourceOptions(embedded.url, true), migrationsRun: false } as DataSourceOptions);
    await dataSource.initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await dataSource.destroy();
    }
    const file = join(mkdtempSync(join(tmpdir(), 'reserve-fund-jest-')), 'embedded-template.tar');
    writeFileSync(file, await embedded.dump());
    return file;
  } finally {
    await embedded.stop();
  }
}
