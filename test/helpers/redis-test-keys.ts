import type Redis from 'ioredis';

/** Deletes every key a test wrote under its own prefix (tests share the machine's Redis: never FLUSHDB). */
export async function dropTestKeys(redis: Redis, prefix: string): Promise<void> {
  const written = await redis.keys(`${prefix}*`);
  if (written.length > 0) await redis.del(...written);
}
