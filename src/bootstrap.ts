import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { json, text, NextFunction, Request, RequestHandler, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { REQUEST_ERRORS } from './common/errors/common.errors';
import { DomainError } from './common/errors/domain-error';
import { AppModule, AppModuleOptions } from './app.module';
import { createValidationPipe } from './common/errors/validation';

/**
 * Body parser errors become domain errors with stable codes (REQUEST.MALFORMED_JSON,
 * REQUEST.TOO_LARGE, …) instead of the framework's generic 400.
 */
function parserWithCodes(parser: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) =>
    parser(req, res, (error?: unknown) => {
      if (!error) return next();
      const e = error as { type?: string; status?: number; message?: string };
      if (e.type === 'entity.parse.failed') {
        return next(DomainError.invalid(REQUEST_ERRORS.MALFORMED_JSON, `The body is not valid JSON: ${e.message}`));
      }
      if (e.type === 'entity.too.large') {
        return next(new DomainError(REQUEST_ERRORS.TOO_LARGE, 'invalid', 'The body is larger than this endpoint accepts.'));
      }
      return next(error);
    });
}

/** Applies what every instance needs: pipes, body limits, OpenAPI, shutdown hooks. */
export function configureApp(app: NestExpressApplication): void {
  app.use(parserWithCodes(json({ limit: '20mb' })));
  app.use(parserWithCodes(text({ limit: '50mb', type: ['text/csv', 'text/plain'] })));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tech-loan reserve fund')
      .setDescription(
        'The reserve fund of the Henan 科技贷 programme as double-entry books. Money is a JSON string with two decimals (CNY); rates are decimal-fraction strings. See docs/ in the repository.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

export async function createApp(options: AppModuleOptions = {}, logger = true): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options), {
    bufferLogs: true,
    bodyParser: false,
  });
  if (logger) app.useLogger(app.get(Logger));
  configureApp(app);
  return app;
}
