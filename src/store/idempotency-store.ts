import type Redis from 'ioredis';
import type { RedisKeys } from './redis';

/** What the first request with an Idempotency-Key did, so a retry repeats it instead of acting again. */
export interface IdempotentRequest {
  /** Hash of the operation and its validated body: the same key with another body is refused. */
  fingerprint: string;
  session_id: string;
  /** Message requests: the turn, and where its events start in the session's stream. */
  turn_id?: string;
  after_id?: string;
  model?: string;
  /** When the first request arrived (the turn's `received_at`, or the session's `created_at`). */
  received_at: string;
}

/**
 * Idempotency keys in Redis, one per principal and key, kept `ttlSeconds`. Losing one (Redis
 * flushed) is safe: the ids are derived from the key, so the turn still runs at most once.
 */
export class IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
  ) {}

  /** Stores `request` unless the scope already has one; returns the earlier request, or null when this one is first. */
  async claim(scope: string, request: IdempotentRequest): Promise<IdempotentRequest | null> {
    const key = this.keys.idempotency(scope);
    for (;;) {
      const set = await this.redis.set(key, JSON.stringify(request), 'EX', this.ttlSeconds, 'NX');
      if (set === 'OK') return null;
      const earlier = await this.redis.get(key);
      // Expired between SET NX and GET: claim again.
      if (earlier !== null) return JSON.parse(earlier) as IdempotentRequest;
    }
  }
}
