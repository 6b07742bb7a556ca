import 'reflect-metadata';
import { createApp } from './bootstrap';
import { ConfigError, loadConfig } from './config/app-config';
import { EmbeddedDatabaseLocked } from './common/database/data-dir-lock';

/**
 * Last lines of defence, logged as one JSON line each so operators (and the fault tests in
 * test/chaos, which fail on them) see them:
 *
 * - an unhandled promise rejection is a bug (a promise nobody awaited), but not a reason to stop
 *   serving: every write runs in a database transaction, so nothing is half-applied by it. It is
 *   logged and the process goes on (Node would otherwise exit);
 * - an uncaught exception leaves the process in an unknown state: it is logged, then the process
 *   exits with status 1 for the supervisor to restart it (Node's default, with a log line).
 */
function installProcessGuards(): void {
  const line = (event: string, error: unknown) =>
    `${JSON.stringify({
      level: 60,
      time: Date.now(),
      event,
      msg: error instanceof Error ? (error.stack ?? error.message) : String(error),
    })}\n`;
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(line('unhandledRejection', reason));
  });
  process.on('uncaughtException', (error) => {
    process.stderr.write(line('uncaughtException', error));
    process.exit(1);
  });
}

async function main(): Promise<void> {
  let port: number;
  try {
    port = loadConfig().port;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  installProcessGuards();
  const app = await createApp();
  await app.listen(port);
  process.stdout.write(`reserve fund service listening on http://localhost:${port} (OpenAPI at /docs)\n`);
}

main().catch((error: unknown) => {
  // Another instance owns the embedded database's folder: one clear line, no stack (docs/scaling.md).
  if (error instanceof EmbeddedDatabaseLocked) {
    process.stderr.write(`start-up refused: ${error.message}\n`);
    process.exit(3);
  }
  // Start-up failed (e.g. the database stayed unreachable through every retry): exit non-zero.
  process.stderr.write(`start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
