import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import type { Logger } from '../logger';
import { authenticate } from './middleware/authenticate';
import { corsAllowlist } from './middleware/cors-allowlist';
import { errorHandler } from './middleware/error-handler';
import { httpMetrics } from './middleware/http-metrics';
import { knownMethods } from './middleware/known-methods';
import { rateLimit } from './middleware/rate-limit';
import { requestContext } from './middleware/request-context';
import { requireJsonBody } from './middleware/require-json-body';
import { securityHeaders } from './middleware/security-headers';
import { memoryRoutes, type MemoryApiDeps } from './memory/memory-routes';
import { modelRoutes } from './models/model-routes';
import { docsAssets } from './openapi/docs-page';
import { buildOpenApiDocument } from './openapi/openapi-document';
import type { HealthDeps } from './operations/health-report';
import { operationsRoutes } from './operations/operations-routes';
import type { ApiSecurity } from './security/api-security';
import { sessionRoutes } from './sessions/session-routes';
import type { SessionService } from './sessions/session-service';
import { streamRoutes, type StreamingDeps } from './streaming/stream-routes';
import { chatPage, type ChatPageOptions } from './web/chat-page';

export interface AppDeps {
  sessions: SessionService;
  health: Omit<HealthDeps, 'auth'>;
  logger: Logger;
  maxMessageChars: number;
  security: ApiSecurity;
  streaming: StreamingDeps;
  /** Where the chat page is built and which Temporal Web UI it links to. */
  page?: ChatPageOptions;
  /** The caller's long-term memories (/api/memory); absent, those routes answer 404. */
  memory?: MemoryApiDeps;
}

/**
 * The Koa app. Order matters: request id and logging outermost (they see the final status),
 * then metrics, security headers and CORS (kept on error answers), the error handler, the chat
 * page and the docs' assets (public, not rate limited), rate limits (before auth, so failed logins are throttled per
 * IP), auth, JSON-only bodies, routes.
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
  app.use(chatPage(deps.page));
  app.use(docsAssets());
  app.use(rateLimit({ ...deps.security.rateLimit, authenticator: deps.security.authenticator, logger: deps.logger }));
  app.use(authenticate(deps.security.authenticator));
  app.use(requireJsonBody());
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: deps.security.bodyLimitBytes, encoding: 'utf-8' }));

  const operations = operationsRoutes(
    { ...deps.health, auth: deps.security.authenticator },
    buildOpenApiDocument({ maxMessageChars: deps.maxMessageChars }),
  );
  const sessions = sessionRoutes(deps.sessions, deps.maxMessageChars);
  const models = modelRoutes(deps.health.llm);
  const memory = memoryRoutes(deps.memory);
  const streams = streamRoutes({ ...deps.streaming, sessions: deps.sessions, maxMessageChars: deps.maxMessageChars });
  // Order is part of the answer: a path two routes share lists its methods in this order (Allow, 405).
  for (const router of [operations, sessions, streams, models, memory])
    app.use(router.routes()).use(router.allowedMethods({ throw: true }));
  return app;
}
