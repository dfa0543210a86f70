import { randomUUID } from 'node:crypto';
import type { SessionSnapshot } from '../../src/contract/session';
import { createRedis, RedisKeys } from '../../src/store/redis';
import { SessionSnapshotStore } from '../../src/store/session-snapshot-store';
import { dropTestKeys } from '../helpers/redis-test-keys';

const redis = createRedis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', 'archiving-marker-test');
const keys = new RedisKeys(`archiving-marker:${randomUUID().slice(0, 8)}:`);
const store = new SessionSnapshotStore(redis, keys, 60);

/** A snapshot after `turnIds.length` turns, each turn's user message and answer visible. */
function snapshotWith(sessionId: string, turnIds: string[]): SessionSnapshot {
  return {
    session_id: sessionId,
    owner: 'anonymous',
    title: 'hello',
    status: 'active',
    created_at: '2026-01-01T00:00:00.000Z',
    last_activity_at: '2026-01-01T00:00:00.000Z',
    turns: turnIds.length,
    tokens_used: 0,
    cost: 0,
    messages: turnIds.flatMap((turn_id) => [
      { role: 'user' as const, content: 'q', turn_id },
      { role: 'assistant' as const, content: 'a', turn_id },
    ]),
    current_turn: null,
  };
}

afterAll(async () => {
  await dropTestKeys(redis, keys.prefix);
  await redis.quit();
});

/** The marker set before a turn's archive row, so history reads know the snapshot may lag the archive. */
describe('the archiving marker of the snapshot store', () => {
  it('when a turn is marked then reads report it until the snapshot holding that turn is put', async () => {
    const id = randomUUID();
    const [first, second] = [randomUUID(), randomUUID()];
    await store.put(snapshotWith(id, [first]));
    await store.markArchiving(id, second);
    expect(await store.getWithArchiving(id)).toEqual(expect.objectContaining({ archiving: true }));

    await store.put(snapshotWith(id, [first, second]));
    const read = await store.getWithArchiving(id);
    expect(read.archiving).toBe(false);
    expect(read.snapshot?.turns).toBe(2);
  });

  it('when a snapshot without the marked turn is put then the marker stays', async () => {
    const id = randomUUID();
    const [first, second] = [randomUUID(), randomUUID()];
    await store.markArchiving(id, second);
    await store.put(snapshotWith(id, [first]));
    expect((await store.getWithArchiving(id)).archiving).toBe(true);
  });

  it('when an older snapshot is refused then the marker goes if the kept snapshot holds the turn', async () => {
    const id = randomUUID();
    const [first, second] = [randomUUID(), randomUUID()];
    await store.put(snapshotWith(id, [first, second]));
    await store.markArchiving(id, second);
    expect(await store.put(snapshotWith(id, [first]))).toBe(false);
    expect((await store.getWithArchiving(id)).archiving).toBe(false);
  });

  it('when there is no snapshot then the read says so', async () => {
    expect(await store.getWithArchiving(randomUUID())).toEqual({ snapshot: null, archiving: false });
  });
});
