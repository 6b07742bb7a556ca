/**
 * The suite's test environment: Node's, plus — when the suite runs on the embedded database (no
 * DATABASE_URL) — the migrated data directory the global set-up wrote (EMBEDDED_TEMPLATE), read
 * once per jest process and handed to each test file (embedded-setup.ts), so a test app's
 * in-memory database starts from a copy of it instead of running initdb and every migration
 * (about half of an app's start-up CPU). Each app still gets a database of its own.
 * EMBEDDED_TEMPLATE=off turns it off.
 */
const { readFileSync } = require('node:fs');
const { TestEnvironment } = require('jest-environment-node');

let template = null;

class EmbeddedDatabaseEnvironment extends TestEnvironment {
  async setup() {
    await super.setup();
    const file = process.env.EMBEDDED_TEMPLATE;
    if (process.env.DATABASE_URL || !file || file === 'off') return;
    template ??= new Blob([readFileSync(file)]);
    this.global.__embeddedTemplate = template;
  }
}

module.exports = EmbeddedDatabaseEnvironment;
