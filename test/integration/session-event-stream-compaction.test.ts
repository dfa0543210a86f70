import { randomUUID } from 'node:crypto';
import type { SessionEvent } from '../../src/contract/event-catalog';
import { createRedis, RedisKeys } from '../../src/store/redis';
import { SessionEventStream } from '../../src/store/session-event-stream';
import { SharedStreamReader } from '../../src/store/shared-stream-reader';
import { turnResult } from '../helpers/turn-result';
import { dropTestKeys } from '../helpers/redis-test-keys';

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = createRedis(url, 'stream-compaction-test');
const keys = new RedisKeys(`stream-compaction:${randomUUID().slice(0, 8)}:`);
const TTL_SECONDS = 600;
const events = new SessionEventStream(redis, keys, 10_000, TTL_SECONDS);
const readers: SharedStreamReader[] = [];

function deltas(turnId: string, count: number): SessionEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    type: 'message' as const,
    data: { turn_id: turnId, content: `token ${i} `, step: 1, attempt: 1, model: 'fake-model' },
  }));
}

const done = (sessionId: string, turnId: string): SessionEvent => ({
  type: 'done',
  data: turnResult({ session_id: sessionId, turn_id: turnId }),
});

async function streamInfo(sessionId: string): Promise<Map<string, unknown>> {
  const info = (await redis.xinfo('STREAM', keys.events(sessionId))) as unknown[];
  const fields = new Map<string, unknown>();
  for (let i = 0; i + 1 < info.length; i += 2) fields.set(String(info[i]), info[i + 1]);
  return fields;
}

const memoryOf = async (sessionId: string) => Number(await redis.memory('USAGE', keys.events(sessionId)));

afterAll(async () => {
  for (const reader of readers) reader.close();
  await dropTestKeys(redis, keys.prefix);
  await redis.quit();
});

describe('session event stream compaction (real Redis)', () => {
  it('when a turn ends then its stream shrinks and keeps every entry, id, counter and its TTL', async () => {
    const session = randomUUID();
    const turn = randomUUID();
    const deltaIds = await events.append(session, deltas(turn, 20));
    const before = await memoryOf(session);
    const [doneId] = await events.append(session, [done(session, turn)]);

    const after = await memoryOf(session);
    expect(after).toBeLessThan(before);
    const stored = await events.readAfter(session, '0-0');
    expect(stored.map((e) => e.id)).toEqual([...deltaIds, doneId]);
    expect(stored.at(-1)?.type).toBe('done');
    const info = await streamInfo(session);
    expect(info.get('entries-added')).toBe(21);
    expect(info.get('last-generated-id')).toBe(doneId);
    const ttl = await redis.ttl(keys.events(session));
    expect(ttl).toBeGreaterThan(TTL_SECONDS - 30);
    expect(ttl).toBeLessThanOrEqual(TTL_SECONDS);
  });

  it('when a reader waits on a stream across its compaction then it gets the next turn’s events', async () => {
    const session = randomUUID();
    const first = randomUUID();
    const ids = await events.append(session, [...deltas(first, 3), done(session, first)]);
    const reader = new SharedStreamReader({
      openConnection: () => createRedis(url, 'stream-compaction-reader'),
      commands: redis,
      keys,
    });
    readers.push(reader);
    const subscription = reader.subscribe(session, ids.at(-1) ?? '0-0');

    const second = randomUUID();
    const nextIds = await events.append(session, [...deltas(second, 2), done(session, second)]);

    const got: string[] = [];
    while (got.length < nextIds.length) {
      const next = await subscription.next(20_000);
      if (next === 'idle' || next === 'closed') break;
      got.push(next.id);
    }
    expect(got).toEqual(nextIds);
  });
});
