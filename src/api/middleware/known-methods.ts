import type { Middleware } from 'koa';
import { ApiError } from '../../errors';

const KNOWN_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * The router answers 501 for a method it has never heard of (LOCK, PROPFIND, ...); that is a
 * client's mistake, not a server fault, so it becomes a 405 before routing.
 */
export function knownMethods(): Middleware {
  return async (ctx, next) => {
    if (!KNOWN_METHODS.includes(ctx.method)) {
      throw new ApiError(405, 'method_not_allowed', `Method ${ctx.method} is not supported.`, undefined, {
        Allow: 'GET, HEAD, POST, DELETE, OPTIONS',
      });
    }
    await next();
  };
}
