import 'reflect-metadata';
import { createApp } from './bootstrap';
import { ConfigError, loadConfig } from './config/app-config';

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
  const app = await createApp();
  await app.listen(port);
  process.stdout.write(`reserve fund service listening on http://localhost:${port} (OpenAPI at /docs)\n`);
}

void main();
