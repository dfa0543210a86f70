import type Redis from 'ioredis';
import type { SessionEvent } from '../../activities/types';
import type { RedisKeys } from './redis';

/** An event as read back from the stream, with its Redis entry id (the SSE `id:`). */
export interface StoredSessionEvent extends SessionEvent {
  id: string;
}

/**
 * The per-session Redis Stream that carries tokens and turn events from workers to any API
 * process. Writes are pipelined (not awaited one by one); the stream is capped and expires.
 */
export class SessionEventStream {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly maxLen: number,
    private readonly ttlSeconds: number,
  ) {}

  async append(sessionId: string, events: SessionEvent[]): Promise<string[]> {
    if (events.length === 0) return [];
    const key = this.keys.events(sessionId);
    const pipeline = this.redis.pipeline();
    for (const event of events) {
      pipeline.xadd(key, 'MAXLEN', '~', String(this.maxLen), '*', 'type', event.type, 'data', JSON.stringify(event.data));
    }
    pipeline.expire(key, this.ttlSeconds);
    const results = await pipeline.exec();
    const ids: string[] = [];
    for (const [err, value] of results ?? []) {
      if (err) throw err;
      if (typeof value === 'string') ids.push(value);
    }
    return ids;
  }

  /** Id of the newest entry, or `0-0` for an empty stream: read after it to see only new events. */
  async lastId(sessionId: string): Promise<string> {
    const newest = (await this.redis.xrevrange(this.keys.events(sessionId), '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
    return newest[0]?.[0] ?? '0-0';
  }

  /**
   * Blocks up to `blockMs` for entries after `afterId`. Needs a connection of its own:
   * a blocking XREAD holds the connection it runs on.
   */
  async read(connection: Redis, sessionId: string, afterId: string, blockMs: number): Promise<StoredSessionEvent[]> {
    const reply = (await connection.xread('COUNT', 500, 'BLOCK', blockMs, 'STREAMS', this.keys.events(sessionId), afterId)) as
      | Array<[string, Array<[string, string[]]>]>
      | null;
    if (!reply) return [];
    return reply[0][1].map(([id, fields]) => parseEntry(id, fields));
  }
}

function parseEntry(id: string, fields: string[]): StoredSessionEvent {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]] = fields[i + 1];
  let data: Record<string, unknown> = {};
  try {
    data = JSON.parse(record.data ?? '{}') as Record<string, unknown>;
  } catch {
    data = { raw: record.data };
  }
  return { id, type: record.type ?? 'unknown', data };
}
