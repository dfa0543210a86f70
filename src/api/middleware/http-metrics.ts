import type { Middleware } from 'koa';
import { httpRequestDurationSeconds, httpRequestsTotal } from '../../metrics/metrics';
import { routeTemplate } from './request-context';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Counts and times every request by method, route template and status (odd methods fold into OTHER). */
export function httpMetrics(): Middleware {
  return async (ctx, next) => {
    const stopTimer = httpRequestDurationSeconds.startTimer();
    try {
      await next();
    } finally {
      const labels = {
        method: KNOWN_METHODS.has(ctx.method) ? ctx.method : 'OTHER',
        route: routeTemplate(ctx as { _matchedRoute?: unknown }),
        status: String(ctx.status),
      };
      httpRequestsTotal.inc(labels);
      stopTimer(labels);
    }
  };
}
