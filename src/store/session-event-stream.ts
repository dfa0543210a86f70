import type { Redis, Result } from 'ioredis';
import { isTurnEnding, readSessionEvent, type SessionEvent, type StoredSessionEvent } from '../contract/event-catalog';
import type { RedisKeys } from './redis';
import { compareStreamIds } from '../contract/stream-id';

/**
 * Rewrites a small stream at its exact size (DUMP + RESTORE keep every entry, id, counter and the TTL). Redis 7.0
 * allocates a new stream node at `stream-node-max-bytes` (4 KB) and keeps that until the node fills: a stream of 21
 * one-word entries takes 4.7 KB, 1.4 KB rewritten; the bench's 20-token turn 4.7 → 4.2 KB (bench/README.md, "Idle sessions").
 */
const COMPACT_STREAM_SCRIPT = `
if redis.call('XLEN', KEYS[1]) > tonumber(ARGV[1]) then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -2 then return 0 end
if ttl < 0 then ttl = 0 end
redis.call('RESTORE', KEYS[1], ttl, redis.call('DUMP', KEYS[1]), 'REPLACE')
return 1`;

/** Streams longer than this are left as they are: their preallocation is small beside them, and a rewrite costs O(size). */
const COMPACT_MAX_ENTRIES = 256;

// ioredis's custom command (defineCommand): the script goes once per connection, then only its SHA (EVALSHA).
declare module 'ioredis' {
  interface RedisCommander<Context> {
    compactSessionStream(key: string, maxEntries: string): Result<number, Context>;
  }
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
  ) {
    // Defining it again (another instance on the same client) replaces it with the same script.
    redis.defineCommand('compactSessionStream', { numberOfKeys: 1, lua: COMPACT_STREAM_SCRIPT });
  }

  async append(sessionId: string, events: SessionEvent[]): Promise<string[]> {
    if (events.length === 0) return [];
    const key = this.keys.events(sessionId);
    const pipeline = this.redis.pipeline();
    for (const event of events) {
      pipeline.xadd(key, 'MAXLEN', '~', String(this.maxLen), '*', 'type', event.type, 'data', storedData(event));
    }
    pipeline.expire(key, this.ttlSeconds);
    // Between turns the stream only waits: compacted once its turn has ended.
    const compact = events.some(isTurnEnding);
    if (compact) pipeline.compactSessionStream(key, String(COMPACT_MAX_ENTRIES));
    const results = await pipeline.exec();
    // Compaction only saves memory: a Redis that refuses it (an ACL, a Redis-compatible server) still gets the events.
    const written = compact ? (results ?? []).slice(0, -1) : (results ?? []);
    const ids: string[] = [];
    for (const [err, value] of written) {
      if (err) throw err;
      if (typeof value === 'string') ids.push(value);
    }
    return ids;
  }

  /** Id of the newest entry, or `0-0` for an empty stream: read after it to see only new events. */
  async lastId(sessionId: string): Promise<string> {
    const newest = (await this.redis.xrevrange(this.keys.events(sessionId), '+', '-', 'COUNT', 1)) as Array<
      [string, string[]]
    >;
    return newest[0]?.[0] ?? '0-0';
  }

  /**
   * Whether every event after `lastId` is still in the stream: `expired` when the stream expired
   * or was trimmed past it (Redis 7 records the newest deleted id); `ahead` when `lastId` is newer
   * than any id the stream has given out (no such event was ever sent, so following it would stall).
   */
  async canResumeAfter(
    sessionId: string,
    lastId: string,
  ): Promise<{ ok: true } | { ok: false; problem: 'expired' | 'ahead'; reason: string }> {
    // From the start: whatever the stream holds (maybe nothing yet) is everything.
    if (compareStreamIds(lastId, '0-0') === 0) return { ok: true };
    let info: unknown[];
    try {
      info = (await this.redis.xinfo('STREAM', this.keys.events(sessionId))) as unknown[];
    } catch {
      return { ok: false, problem: 'expired', reason: 'The event stream of this session has expired.' };
    }
    const fields = new Map<string, unknown>();
    for (let i = 0; i + 1 < info.length; i += 2) fields.set(String(info[i]), info[i + 1]);
    const maxDeleted = fields.get('max-deleted-entry-id');
    if (typeof maxDeleted === 'string' && maxDeleted !== '0-0' && compareStreamIds(lastId, maxDeleted) < 0) {
      return { ok: false, problem: 'expired', reason: 'Events after this id were deleted from the stream.' };
    }
    // Redis 7.0 does not record trimmed ids: if entries were trimmed and the client's id is
    // older than the oldest entry left, the events between may be gone.
    const trimmed = Number(fields.get('entries-added') ?? 0) > Number(fields.get('length') ?? 0);
    const first = fields.get('first-entry') as [string, unknown] | null | undefined;
    const oldestLeft = first?.[0];
    const lastGenerated = fields.get('last-generated-id');
    const newest = typeof lastGenerated === 'string' ? lastGenerated : '0-0';
    if (compareStreamIds(lastId, newest) > 0) {
      return {
        ok: false,
        problem: 'ahead',
        reason: `No event ${lastId} was ever sent on this stream (newest is ${newest}).`,
      };
    }
    if (trimmed && (oldestLeft ? compareStreamIds(lastId, oldestLeft) < 0 : compareStreamIds(lastId, newest) < 0)) {
      return { ok: false, problem: 'expired', reason: 'Events after this id were trimmed from the stream.' };
    }
    return { ok: true };
  }

  /** Up to `count` events after `afterId`, without blocking (live readers use SharedStreamReader). */
  async readAfter(sessionId: string, afterId: string, count = 500): Promise<StoredSessionEvent[]> {
    const entries = (await this.redis.xrange(this.keys.events(sessionId), `(${afterId}`, '+', 'COUNT', count)) as Array<
      [string, string[]]
    >;
    return entries.flatMap(([id, fields]) => {
      const event = parseEntry(fields);
      return event ? [{ ...event, id }] : [];
    });
  }
}

/**
 * An entry's `data`: the payload's JSON, but a `message` delta (one per token, most of a stream) as a row
 * `[turn_id, step, attempt, model, content]`, without the field names every delta would repeat (−45 B a
 * delta in Redis; bench/README.md, "Idle sessions"). Every entry keeps the fields `type` and `data`, so a
 * stream node stores their names once. Readers turn both forms back into the catalog's event.
 */
export function storedData(event: SessionEvent): string {
  if (event.type !== 'message') return JSON.stringify(event.data);
  const { turn_id, step, attempt, model, content } = event.data;
  return JSON.stringify([turn_id, step, attempt, model, content]);
}

/** A stored `message` row back into its payload; anything else as it is (the catalog's check rejects a bad one). */
function payloadOf(type: string, data: unknown): unknown {
  if (type !== 'message' || !Array.isArray(data)) return data;
  const [turn_id, step, attempt, model, content] = data as unknown[];
  return { turn_id, step, attempt, model, content };
}

/** A stream entry as a catalog event; undefined for anything else (skipped by readers). */
export function parseEntry(fields: string[]): SessionEvent | undefined {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]] = fields[i + 1];
  const type = record.type ?? '';
  try {
    return readSessionEvent(type, payloadOf(type, JSON.parse(record.data ?? 'null')));
  } catch {
    return undefined;
  }
}
