import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import { ApiError } from '../errors';
import type { Logger } from '../logger';
import { healthReport, type HealthDeps } from './health';
import { errorHandler } from './middleware/error-handler';
import { chatRoutes } from './routes/chat-routes';
import type { SessionService } from './session-service';

export interface AppDeps {
  sessions: SessionService;
  health: HealthDeps;
  logger: Logger;
  maxMessageChars: number;
}

/** The Koa app: error handling first, then JSON-only bodies, then routes. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(errorHandler(deps.logger));
  app.use(async (ctx, next) => {
    const hasBody = Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';
    if (['POST', 'PUT', 'PATCH'].includes(ctx.method) && hasBody && !ctx.is('application/json')) {
      throw new ApiError(415, 'unsupported_media_type', 'Send the request body as application/json.');
    }
    await next();
  });
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: '1mb', encoding: 'utf-8' }));

  const root = new Router();
  root.get('/health', async (ctx) => {
    const report = await healthReport(deps.health);
    ctx.status = report.status === 'ok' ? 200 : 503;
    ctx.body = report;
  });
  const chat = chatRoutes(deps.sessions, deps.maxMessageChars);
  app.use(root.routes()).use(root.allowedMethods({ throw: true }));
  app.use(chat.routes()).use(chat.allowedMethods({ throw: true }));
  return app;
}
