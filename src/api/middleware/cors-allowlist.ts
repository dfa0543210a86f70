import cors from '@koa/cors';
import type { Middleware } from 'koa';

/**
 * CORS for the configured origins only. An origin not on the list gets no CORS headers at all,
 * so browsers refuse cross-origin reads; requests without an Origin header are unaffected.
 */
export function corsAllowlist(origins: readonly string[]): Middleware {
  const allowed = new Set(origins);
  return cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      return allowed.has(origin) ? origin : '';
    },
    allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID', 'X-Request-Id'],
    exposeHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });
}
