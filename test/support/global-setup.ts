import { Client } from 'pg';

/**
 * With DATABASE_URL set, the suite runs against that real PostgreSQL: the schema is reset once
 * per run, then every app the tests start applies the migrations (issue #2 item 12). Without it,
 * each app starts its own in-memory embedded database.
 */
export default async function globalSetup(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) return;
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP SCHEMA IF EXISTS public CASCADE');
    await client.query('CREATE SCHEMA public');
  } finally {
    await client.end();
  }
}
