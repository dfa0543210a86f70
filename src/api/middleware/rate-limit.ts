import type Redis from 'ioredis';
import type { Context, Middleware } from 'koa';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../../errors';
import type { Logger } from '../../logger';
import type { RedisKeys } from '../../store/redis';
import { isPublicPath } from '../security/public-paths';
import type { ApiKeyAuthenticator } from '../security/api-key-authenticator';

export interface RateLimitOptions {
  redis: Redis;
  keys: RedisKeys;
  authenticator: ApiKeyAuthenticator;
  windowSeconds: number;
  /** Requests per window for everything under /api; 0 = off. */
  requests: number;
  /** Message sends per window; 0 = off. */
  messages: number;
  logger: Logger;
}

const MESSAGE_ROUTES = new Set(['/api/chat/message', '/api/chat/message/stream']);

function isMessageSend(ctx: Pick<Context, 'method' | 'path'>): boolean {
  return ctx.method === 'POST' && MESSAGE_ROUTES.has(ctx.path.toLowerCase().replace(/\/+$/, ''));
}

/**
 * Whom a request counts against: its principal when keys are configured and it presents a valid
 * one; otherwise its IP (open mode, and failed logins, so guessing keys is throttled too).
 */
function clientKey(ctx: Context, authenticator: ApiKeyAuthenticator): string {
  if (!authenticator.open) {
    const result = authenticator.authenticate(ctx.get('authorization') || undefined);
    if (result.ok) return `principal:${result.principal}`;
  }
  return `ip:${ctx.ip}`;
}

/**
 * Redis-backed limits (shared by every API replica): one for all requests, a stricter one for
 * sending messages. Over a limit → 429 with Retry-After. If Redis fails, requests pass (fail open)
 * and a warning is logged at most every 10 s: a dead limiter must not take the API down with it.
 */
export function rateLimit(options: RateLimitOptions): Middleware {
  const limiter = (name: string, points: number) =>
    points > 0
      ? new RateLimiterRedis({
          storeClient: options.redis,
          keyPrefix: options.keys.rateLimit(name),
          points,
          duration: options.windowSeconds,
          rejectIfRedisNotReady: true,
        })
      : undefined;
  const requests = limiter('requests', options.requests);
  const messages = limiter('messages', options.messages);
  let lastWarning = 0;

  const consume = async (ctx: Context, rateLimiter: RateLimiterRedis, name: string, key: string) => {
    try {
      await rateLimiter.consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        throw new RateLimitedError(name, Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
      }
      if (Date.now() - lastWarning > 10_000) {
        lastWarning = Date.now();
        (ctx.state.logger ?? options.logger).warn(
          { err: (err as Error)?.message ?? String(err), limiter: name },
          'rate limiter unavailable (Redis): letting requests through',
        );
      }
    }
  };

  return async (ctx, next) => {
    if (isPublicPath(ctx.path) || ctx.method === 'OPTIONS') {
      await next();
      return;
    }
    const key = clientKey(ctx, options.authenticator);
    if (requests) await consume(ctx, requests, 'requests', key);
    if (messages && isMessageSend(ctx)) await consume(ctx, messages, 'messages', key);
    await next();
  };
}
