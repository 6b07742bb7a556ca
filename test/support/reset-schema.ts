import { Client } from 'pg';

/**
 * Drops the `public` schema of the database `url` names, with everything in it, and creates it
 * again empty: the next app to start migrates from nothing. For the test suite on a real
 * PostgreSQL (once per run) and the HTTP benchmark (before a start, when apps' migrations differ).
 */
export async function resetPublicSchema(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP SCHEMA IF EXISTS public CASCADE');
    await client.query('CREATE SCHEMA public');
  } finally {
    await client.end();
  }
}
