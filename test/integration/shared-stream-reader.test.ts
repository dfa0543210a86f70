import { randomUUID } from 'node:crypto';
import type { StoredSessionEvent } from '../../src/contract/event-catalog';
import { createRedis, RedisKeys } from '../../src/store/redis';
import { SessionEventStream } from '../../src/store/session-event-stream';
import {
  SharedStreamReader,
  SubscriberOverflowError,
  type SharedStreamReaderOptions,
  type StreamSubscription,
} from '../../src/store/shared-stream-reader';
import { waitUntil } from '../helpers/wait-for';
import { dropTestKeys } from '../helpers/redis-test-keys';

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = createRedis(url, 'shared-stream-reader-test');
const keys = new RedisKeys(`shared-reader:${randomUUID().slice(0, 8)}:`);
const events = new SessionEventStream(redis, keys, 10_000, 600);
const readers: SharedStreamReader[] = [];
const TURN = randomUUID();

/** A reader whose connections carry a name of their own, so CLIENT LIST counts only them. */
function newReader(options: Partial<SharedStreamReaderOptions> = {}): { reader: SharedStreamReader; name: string } {
  const name = `shared-reader-test-${randomUUID().slice(0, 8)}`;
  const reader = new SharedStreamReader({
    openConnection: () => createRedis(url, name),
    commands: redis,
    keys,
    ...options,
  });
  readers.push(reader);
  return { reader, name };
}

async function connectionsNamed(name: string): Promise<number> {
  const list = (await redis.client('LIST')) as string;
  return list.split('\n').filter((line) => line.includes(` name=${name} `)).length;
}

function append(sessionId: string, from: number, count: number): Promise<string[]> {
  const batch = Array.from({ length: count }, (_, i) => ({
    type: 'message' as const,
    data: { turn_id: TURN, content: `m${from + i}`, step: 1, attempt: 1, model: 'm' },
  }));
  return events.append(sessionId, batch);
}

/** Reads until `count` events came or the subscription stayed idle for 20 s in a row. */
async function collect(subscription: StreamSubscription, count: number): Promise<StoredSessionEvent[]> {
  const got: StoredSessionEvent[] = [];
  while (got.length < count) {
    const next = await subscription.next(20_000);
    if (next === 'idle' || next === 'closed') break;
    got.push(next);
  }
  return got;
}

const contents = (list: StoredSessionEvent[]) => list.map((e) => (e.type === 'message' ? e.data.content : e.type));
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => `m${from + i}`);

afterAll(async () => {
  for (const reader of readers) reader.close();
  await dropTestKeys(redis, keys.prefix);
  await redis.quit();
});

describe('shared stream reader (real Redis)', () => {
  it('when 60 subscribers follow 40 sessions then they share at most 3 reader connections and each gets its own events', async () => {
    const { reader, name } = newReader({ maxConnections: 3, streamsPerConnection: 10 });
    const sessions = Array.from({ length: 40 }, () => randomUUID());
    const subscriptions = Array.from({ length: 60 }, (_, i) => ({
      session: sessions[i % 40],
      subscription: reader.subscribe(sessions[i % 40], '0-0'),
    }));
    await Promise.all(sessions.map((s, i) => append(s, i * 10, 3)));

    const received = await Promise.all(subscriptions.map(({ subscription }) => collect(subscription, 3)));

    received.forEach((got, i) => expect(contents(got)).toEqual(range((i % 40) * 10, 3)));
    expect(reader.connectionCount).toBe(3);
    expect(await connectionsNamed(name)).toBe(3);
  });

  it('when a subscriber joins mid-stream with an old id then it gets every event after that id once and in order', async () => {
    const { reader } = newReader();
    const session = randomUUID();
    const early = reader.subscribe(session, '0-0');
    const ids = await append(session, 0, 10);
    expect(contents(await collect(early, 10))).toEqual(range(0, 10));

    // Events keep coming while the late subscriber catches up: none may be lost or doubled at the seam.
    const late = reader.subscribe(session, ids[3]);
    const writing = (async () => {
      for (let i = 0; i < 10; i++) await append(session, 10 + i * 3, 3);
    })();
    const got = await collect(late, 36);
    await writing;

    expect(contents(got)).toEqual(range(4, 36));
    expect(contents(await collect(early, 30))).toEqual(range(10, 30));
  });

  it('when a stream is added while the reader blocks then the read is re-armed and the new stream is read', async () => {
    // A block far longer than the wait below: only a re-armed read can see the second session in time.
    const { reader } = newReader({ blockMs: 120_000 });
    const first = randomUUID();
    const second = randomUUID();
    const a = reader.subscribe(first, '0-0');
    await append(first, 0, 1);
    expect(contents(await collect(a, 1))).toEqual(['m0']);

    const b = reader.subscribe(second, await events.lastId(second));
    await append(second, 100, 2);

    expect(contents(await collect(b, 2))).toEqual(['m100', 'm101']);
  });

  it('when the last follower of a stream leaves while the reader blocks then the read is re-armed without that stream', async () => {
    const { reader } = newReader({ blockMs: 120_000 });
    const keptId = randomUUID();
    const kept = keys.events(keptId);
    const left = randomUUID();
    const a = reader.subscribe(keptId, '0-0');
    const b = reader.subscribe(left, '0-0');
    await append(left, 0, 1);
    await collect(b, 1);
    const monitor = await redis.monitor();
    const reads: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'xread' && args.includes(kept)) reads.push(args);
    });
    try {
      b.close();
      // A read that still named the stream would end only after its 120 s block.
      await waitUntil(
        () => reads.filter((args) => !args.includes(keys.events(left))).length,
        (n) => n > 0,
        { what: 'an XREAD without the stream that lost its last follower' },
      );
    } finally {
      monitor.disconnect();
      a.close();
    }
  });

  it('when one subscriber stops reading then the others get every event and the stalled one overflows', async () => {
    const { reader } = newReader();
    const session = randomUUID();
    const stalled = reader.subscribe(session, '0-0', 5);
    const reading = reader.subscribe(session, '0-0');

    await append(session, 0, 20);
    const got = await collect(reading, 20);

    expect(contents(got)).toEqual(range(0, 20));
    await expect(stalled.next(1000)).rejects.toBeInstanceOf(SubscriberOverflowError);
  });
});
