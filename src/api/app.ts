import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import Koa from 'koa';
import { ApiError } from '../errors';
import type { Logger } from '../logger';
import type { ApiSecurity } from './api-security';
import { healthReport, type HealthDeps } from './health';
import { authenticate } from './middleware/authenticate';
import { corsAllowlist } from './middleware/cors-allowlist';
import { errorHandler } from './middleware/error-handler';
import { httpMetrics } from './middleware/http-metrics';
import { knownMethods } from './middleware/known-methods';
import { rateLimit } from './middleware/rate-limit';
import { requestContext } from './middleware/request-context';
import { securityHeaders } from './middleware/security-headers';
import { buildOpenApiDocument } from './openapi/openapi-document';
import { chatRoutes } from './routes/chat-routes';
import { streamRoutes, type StreamRouteDeps } from './routes/stream-routes';
import { operationsRoutes } from './routes/operations-routes';
import type { SessionService } from './session-service';

export interface AppDeps {
  sessions: SessionService;
  health: HealthDeps;
  logger: Logger;
  maxMessageChars: number;
  security: ApiSecurity;
  streaming: Omit<StreamRouteDeps, 'sessions' | 'maxMessageChars'>;
}

/**
 * The Koa app. Order matters: request id and logging outermost (they see the final status),
 * then metrics, security headers and CORS (kept on error answers), the error handler, rate
 * limits (before auth, so failed logins are throttled per IP), auth, JSON-only bodies, routes.
 */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.silent = true;
  if (deps.security.trustProxy) {
    app.proxy = true;
    app.maxIpsCount = 1; // only the hop our own proxy appended; earlier entries are client-supplied
  }
  app.use(requestContext(deps.logger));
  app.use(httpMetrics());
  app.use(securityHeaders());
  app.use(corsAllowlist(deps.security.corsOrigins));
  app.use(errorHandler(deps.logger));
  app.use(knownMethods());
  app.use(rateLimit({ ...deps.security.rateLimit, authenticator: deps.security.authenticator, logger: deps.logger }));
  app.use(authenticate(deps.security.authenticator));
  app.use(async (ctx, next) => {
    const hasBody = Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';
    if (['POST', 'PUT', 'PATCH'].includes(ctx.method) && hasBody && !ctx.is('application/json')) {
      throw new ApiError(415, 'unsupported_media_type', 'Send the request body as application/json.');
    }
    await next();
  });
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: deps.security.bodyLimitBytes, encoding: 'utf-8' }));

  const root = new Router();
  root.get('/health', async (ctx) => {
    const report = await healthReport({ ...deps.health, auth: deps.security.authenticator });
    ctx.status = report.status === 'ok' ? 200 : 503;
    ctx.body = report;
  });
  const operations = operationsRoutes(buildOpenApiDocument({ maxMessageChars: deps.maxMessageChars }));
  const chat = chatRoutes(deps.sessions, deps.maxMessageChars);
  const streams = streamRoutes({ ...deps.streaming, sessions: deps.sessions, maxMessageChars: deps.maxMessageChars });
  for (const router of [root, operations, chat, streams]) app.use(router.routes()).use(router.allowedMethods({ throw: true }));
  return app;
}
