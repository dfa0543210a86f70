import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import type { RedisKeys } from './redis';

/** Arguments in a canonical form: sorted keys, trimmed lower-case strings, so "Seoul " and "seoul" share a cache entry. */
export function normalizeArguments(value: unknown): unknown {
  if (typeof value === 'string') return value.trim().toLowerCase().replace(/\s+/g, ' ');
  if (Array.isArray(value)) return value.map(normalizeArguments);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, normalizeArguments((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** Tool results cached in Redis by tool + normalized arguments with a TTL. */
export class ToolResultCache {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
  ) {}

  private key(tool: string, args: unknown): string {
    const digest = createHash('sha256')
      .update(JSON.stringify(normalizeArguments(args)))
      .digest('hex');
    return `${this.keys.prefix}toolcache:${tool}:${digest}`;
  }

  async get<T>(tool: string, args: unknown): Promise<T | undefined> {
    if (this.ttlSeconds === 0) return undefined;
    const raw = await this.redis.get(this.key(tool, args)).catch(() => null);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async put(tool: string, args: unknown, value: unknown): Promise<void> {
    if (this.ttlSeconds === 0) return;
    await this.redis.set(this.key(tool, args), JSON.stringify(value), 'EX', this.ttlSeconds).catch(() => undefined);
  }
}
