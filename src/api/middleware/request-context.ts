import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../../logger';
import '../requests/request-state';

/** A caller's id is kept only if it is short and plain: it goes into logs and headers. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const UNMATCHED_ROUTE = '(unmatched)';

/** The router's template for the request (`/api/chat/history/:session_id`), never the raw path. */
export function routeTemplate(ctx: { _matchedRoute?: unknown }): string {
  return typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : UNMATCHED_ROUTE;
}

/**
 * Outermost middleware: gives each request an id (the caller's `X-Request-Id` if sane, else a
 * UUID), echoes it, hangs a child logger on ctx.state, and logs one line per request when it ends.
 * Headers are never logged, so API keys cannot leak here.
 */
export function requestContext(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const offered = ctx.get('x-request-id');
    const requestId = SANE_REQUEST_ID.test(offered) ? offered : randomUUID();
    const requestLogger = logger.child({ request_id: requestId });
    ctx.state.requestId = requestId;
    ctx.state.logger = requestLogger;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const line = {
        method: ctx.method,
        route: routeTemplate(ctx as { _matchedRoute?: unknown }),
        status: ctx.status,
        duration_ms: Math.round(durationMs * 100) / 100,
        principal: ctx.state.principal,
      };
      if (ctx.status >= 500) requestLogger.error(line, 'request');
      else requestLogger.info(line, 'request');
    }
  };
}
