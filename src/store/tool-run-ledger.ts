import type Redis from 'ioredis';
import type { RedisKeys } from './redis';

/** What the ledger holds for one tool call: a claim while it runs, then its result. */
export type ToolRunEntry<T> = { state: 'running'; started_at: string } | { state: 'done'; result: T };

/**
 * At-most-once record of non-idempotent tool calls, keyed by turn id + call id, in Redis (it
 * outlives any worker). An attempt claims the call before the side effect (SET NX) and stores
 * the result after it; a retried attempt (worker crash, timeout) finds the claim and does not
 * run the side effect again: it gets the stored result, or learns the first attempt was
 * interrupted before it could record one.
 */
export class ToolRunLedger {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
  ) {}

  private key(turnId: string, callId: string): string {
    return `${this.keys.prefix}toolrun:${turnId}:${callId}`;
  }

  /** Claims the call; returns undefined when this attempt may run it, else what an earlier attempt left. */
  async claim<T>(turnId: string, callId: string): Promise<ToolRunEntry<T> | undefined> {
    const key = this.key(turnId, callId);
    const entry: ToolRunEntry<T> = { state: 'running', started_at: new Date().toISOString() };
    const claimed = await this.redis.set(key, JSON.stringify(entry), 'EX', this.ttlSeconds, 'NX');
    if (claimed === 'OK') return undefined;
    const raw = await this.redis.get(key);
    // Expired between the two calls: treat as interrupted rather than run twice.
    return raw === null ? { state: 'running', started_at: 'unknown' } : (JSON.parse(raw) as ToolRunEntry<T>);
  }

  async record<T>(turnId: string, callId: string, result: T): Promise<void> {
    const entry: ToolRunEntry<T> = { state: 'done', result };
    await this.redis.set(this.key(turnId, callId), JSON.stringify(entry), 'EX', this.ttlSeconds);
  }
}
