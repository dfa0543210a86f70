import type { Middleware } from 'koa';
import { ApiError } from '../../errors';

/** The API reads JSON only: a body of any other type is refused before any parser sees it. */
export function requireJsonBody(): Middleware {
  return async (ctx, next) => {
    const hasBody = Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';
    if (['POST', 'PUT', 'PATCH'].includes(ctx.method) && hasBody && !ctx.is('application/json')) {
      throw new ApiError(415, 'unsupported_media_type', 'Send the request body as application/json.');
    }
    await next();
  };
}
