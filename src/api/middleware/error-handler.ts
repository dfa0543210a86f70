import type { Middleware } from 'koa';
import { ApiError, dependencyFailureOf } from '../../errors';
import type { Logger } from '../../logger';

interface HttpishError extends Error {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
}

const CODES: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  431: 'headers_too_large',
  422: 'validation_failed',
};

/**
 * First middleware: every failure leaves as `{ error: { status, code, message, details? } }`.
 * Client errors say what was wrong; a dependency outage answers 503 with Retry-After; anything
 * unexpected is logged and answers a bare 500.
 */
export function errorHandler(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new ApiError(404, 'not_found', `No route for ${ctx.method} ${ctx.path}`);
      }
    } catch (thrown) {
      // An outage of Redis, the archive or Temporal is a 503 with Retry-After wherever it surfaced.
      const raw = dependencyFailureOf(thrown) ?? thrown;
      const err = raw as HttpishError;
      let status = 500;
      let code = 'internal_error';
      let message = 'Internal server error';
      let details: unknown;
      if (err instanceof ApiError) {
        ({ status, code, message, details } = err);
      } else if ((err.status ?? err.statusCode ?? 500) < 500 && err.expose !== false) {
        status = err.status ?? err.statusCode ?? 400;
        code = CODES[status] ?? 'bad_request';
        message =
          err.type === 'entity.parse.failed' || /JSON/i.test(err.message)
            ? `Malformed JSON body: ${err.message}`
            : err.message;
      }
      if (status >= 500)
        (ctx.state.logger ?? logger).error({ err: thrown, path: ctx.path, method: ctx.method }, 'request failed');
      ctx.status = status;
      ctx.type = 'application/json';
      ctx.body = { error: { status, code, message, ...(details !== undefined ? { details } : {}) } };
      if (err instanceof ApiError && err.headers) ctx.set(err.headers);
    }
  };
}
