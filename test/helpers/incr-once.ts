import Redis from 'ioredis';

/**
 * INCR on a connection of its own, closed afterwards: test tools loaded into an in-process
 * worker must not leave a connection that keeps Jest's process alive after the run.
 */
export async function incrOnce(url: string, connectionName: string, key: string): Promise<number> {
  const redis = new Redis(url, { connectionName });
  try {
    return await redis.incr(key);
  } finally {
    redis.disconnect();
  }
}
