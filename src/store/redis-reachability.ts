import Redis from 'ioredis';

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/** Whether a Redis at `url` answers PING within `timeoutMs`; never throws. */
export async function pingRedis(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** What to do when nothing answers at `url`: the message a process stops with. */
export function unreachableRedisMessage(url: string): string {
  return (
    `Redis is not reachable at ${url}. Start Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) ` +
    'or set REDIS_URL to a reachable server.'
  );
}

/** Fails fast with an actionable message instead of a role that retries a dead Redis forever. */
export async function requireRedis(url: string): Promise<void> {
  if (!(await pingRedis(url))) throw new RedisUnavailableError(unreachableRedisMessage(url));
}
