import { randomUUID } from 'node:crypto';
import type { SessionEvent } from '../../src/contract/event-catalog';
import { createRedis, RedisKeys } from '../../src/store/redis';
import { SessionEventStream } from '../../src/store/session-event-stream';
import { turnResult } from '../helpers/turn-result';
import { dropTestKeys } from '../helpers/redis-test-keys';

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = createRedis(url, 'stream-encoding-test');
const keys = new RedisKeys(`stream-encoding:${randomUUID().slice(0, 8)}:`);
const events = new SessionEventStream(redis, keys, 10_000, 600);

const delta = (turnId: string, i: number): Extract<SessionEvent, { type: 'message' }> => ({
  type: 'message',
  data: { turn_id: turnId, step: 2, attempt: 3, model: 'fake-model', content: `token ${i} "quoted" ` },
});

/** The stream's entries as Redis holds them: field names and values. */
async function rawEntries(sessionId: string): Promise<string[][]> {
  const entries = await redis.xrange(keys.events(sessionId), '-', '+');
  return entries.map(([, fields]) => fields);
}

afterAll(async () => {
  await dropTestKeys(redis, keys.prefix);
  await redis.quit();
});

describe('session event stream encoding (real Redis)', () => {
  it('when a message delta is appended then it is stored as a row and read back as the same catalog event', async () => {
    const session = randomUUID();
    const turn = randomUUID();
    const sent = [delta(turn, 1), delta(turn, 2)];
    await events.append(session, sent);

    const [first] = await rawEntries(session);
    expect(first).toEqual(['type', 'message', 'data', JSON.stringify([turn, 2, 3, 'fake-model', 'token 1 "quoted" '])]);
    const read = await events.readAfter(session, '0-0');
    expect(read.map(({ type, data }) => ({ type, data }))).toEqual(sent);
  });

  it('when a stream holds deltas written as JSON objects (before the rows) then readers still get them', async () => {
    const session = randomUUID();
    const turn = randomUUID();
    const old = delta(turn, 7);
    await redis.xadd(keys.events(session), '*', 'type', 'message', 'data', JSON.stringify(old.data));

    const read = await events.readAfter(session, '0-0');
    expect(read.map(({ type, data }) => ({ type, data }))).toEqual([old]);
  });

  it('when a row is not a valid message then readers skip it', async () => {
    const session = randomUUID();
    await redis.xadd(keys.events(session), '*', 'type', 'message', 'data', JSON.stringify(['not-a-uuid', 1]));

    expect(await events.readAfter(session, '0-0')).toEqual([]);
  });

  it('when a turn of 20 deltas has ended then its stream takes less memory than with JSON-object deltas', async () => {
    const turn = randomUUID();
    const rows = randomUUID();
    const objects = randomUUID();
    const turnDeltas = Array.from({ length: 20 }, (_, i) => delta(turn, i));
    const done: SessionEvent = { type: 'done', data: turnResult({ session_id: rows, turn_id: turn }) };
    await events.append(rows, [...turnDeltas, done]);
    for (const event of [...turnDeltas, done])
      await redis.xadd(keys.events(objects), '*', 'type', event.type, 'data', JSON.stringify(event.data));
    // The same rewrite at the stream's size that `append` runs when a turn ends.
    await redis.compactSessionStream(keys.events(objects), '256');

    const usage = async (id: string) => Number(await redis.memory('USAGE', keys.events(id)));
    const [rowBytes, objectBytes] = [await usage(rows), await usage(objects)];
    expect(rowBytes).toBeLessThan(objectBytes - 20 * 30);
  });
});
