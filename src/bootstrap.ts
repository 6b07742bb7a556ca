import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule, AppModuleOptions } from './app.module';
import { AuthService, TOKEN_FORMAT } from './auth/auth.service';
import { GuardRefusalRecorder } from './audit/guard-refusals';
import { createValidationPipe } from './common/errors/validation';
import { HeavyReadGate, HeavyReadInterceptor, trackClientDeparture } from './common/http/heavy-reads';
import { authenticateBeforeBody, checkRequestTarget, readBody } from './common/http/request-edge';
import { APP_CONFIG, AppConfig } from './config/app-config';
import { MetricsService } from './common/metrics/metrics.service';
import { requestContext } from './common/http/request-context';
import { ReadReplica } from './common/database/read-replica';
import { STATEMENT_UPLOAD_PATHS } from './reconciliation/reconciliation.module';
import { serveConsole } from './console/console-static';

/**
 * Applies what every instance needs: the edge checks and body reading, pipes, the heavy-read
 * gate, OpenAPI, shutdown hooks.
 *
 * The edge runs before the router, in this order (src/common/http/request-edge.ts,
 * docs/reliability.md): path and query text checks; for a request with a body, the bearer token
 * is checked before a byte of the body is read; then the body is read within its size limit
 * (413 above it), decoded as strict UTF-8 and, for JSON, checked for depth before parsing and
 * for forbidden keys and bad text after. Express's own body parsers are not used.
 */
export function configureApp(app: NestExpressApplication): void {
  const config = app.get<AppConfig>(APP_CONFIG);
  const auth = app.get(AuthService);
  app.use(requestContext(app.get(MetricsService)));
  // Marks a caller's writes and sends its eligible reads to the replica when there is one (docs/scaling.md).
  app.use(app.get(ReadReplica).middleware());
  // Before the edge's token check: a request the edge or the guards refuse leaves an audit row.
  app.use(app.get(GuardRefusalRecorder).middleware());
  app.use(trackClientDeparture());
  app.use(checkRequestTarget());
  app.use(authenticateBeforeBody((token) => auth.resolve(token)));
  app.use(
    readBody({
      jsonBytes: config.maxJsonBodyBytes,
      textBytes: config.maxTextBodyBytes,
      // A bank report's CSV is parsed as it arrives (issue 10 item 5, docs/reliability.md).
      streamsText: (req) => req.method === 'POST' && req.path === '/v1/bank-reports',
      rawPaths: STATEMENT_UPLOAD_PATHS,
    }),
  );
  // The console at / and its assets (issue 17): static files, outside the API router and OpenAPI.
  serveConsole(app);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalInterceptors(
    new HeavyReadInterceptor(new HeavyReadGate({ maxRunning: config.heavyReadsMax, maxWaiting: 64, maxWaitMs: 30_000, abandonedGraceMs: 20_000 })),
  );
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tech-loan reserve fund')
      .setDescription(
        'The reserve fund of the Henan 科技贷 programme as double-entry books. Money is a JSON string with two decimals (CNY); rates are decimal-fraction strings. See docs/ in the repository.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: TOKEN_FORMAT, description: `Opaque API token: ${TOKEN_FORMAT}; issued by POST /v1/tokens (the BOOTSTRAP_ADMIN_TOKEN is the operator's own value).` })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

export async function createApp(options: AppModuleOptions = {}, logger = true): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options), {
    bufferLogs: true,
    bodyParser: false,
    // A start-up failure reaches the caller (src/main.ts says why and exits non-zero) instead of
    // Nest aborting the process with a core dump.
    abortOnError: false,
  });
  if (logger) app.useLogger(app.get(Logger));
  configureApp(app);
  return app;
}
