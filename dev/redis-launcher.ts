import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { pingRedis, RedisUnavailableError, unreachableRedisMessage } from '../src/store/redis-reachability';
import { stopChild } from './stop-child';

function isLocal(host: string): boolean {
  return ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);
}

export interface EnsuredRedis {
  url: string;
  /** The redis-server this run launched, if any. */
  child?: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Uses Redis at `url`; if nothing answers there, the host is local, and `redis-server` is
 * installed, launches one (no persistence) on that port for the run.
 */
export async function ensureRedis(url: string, autostart: boolean, log: (line: string) => void): Promise<EnsuredRedis> {
  if (await pingRedis(url)) return { url, stop: () => Promise.resolve() };
  const parsed = new URL(url);
  const hint = unreachableRedisMessage(url);
  if (!autostart || !isLocal(parsed.hostname)) throw new RedisUnavailableError(hint);
  if (spawnSync('redis-server', ['--version']).status !== 0)
    throw new RedisUnavailableError(`${hint} (redis-server is not installed, so it cannot be launched.)`);

  const port = parsed.port || '6379';
  log(`[redis] nothing answers at ${url}; launching redis-server on port ${port} for this run`);
  const child = spawn('redis-server', ['--port', port, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await pingRedis(url, 500)) return { url, child, stop: () => stopChild(child, 3000) };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopChild(child, 1000);
  throw new RedisUnavailableError(`${hint} (a launched redis-server did not answer within 10 s.)`);
}
