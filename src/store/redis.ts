import Redis from 'ioredis';

/** A Redis client that fails fast instead of queueing commands forever while Redis is down. */
export function createRedis(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}

/** Names of every key the service writes, all under one prefix so tests and deployments can share a Redis. */
export class RedisKeys {
  constructor(readonly prefix: string) {}
  snapshot(sessionId: string): string {
    return `${this.prefix}session:${sessionId}`;
  }
  events(sessionId: string): string {
    return `${this.prefix}session:${sessionId}:events`;
  }
  /** What a request with an Idempotency-Key did; `scope` hashes the principal and the key. */
  idempotency(scope: string): string {
    return `${this.prefix}idempotency:${scope}`;
  }
  /** Prefix of one rate limiter's counters (rate-limiter-flexible appends `:<client key>`). */
  rateLimit(limiter: string): string {
    return `${this.prefix}ratelimit:${limiter}`;
  }
}
