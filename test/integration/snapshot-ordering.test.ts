import { randomUUID } from 'node:crypto';
import type { SessionSnapshot } from '../../src/contract/session';
import { createRedis, RedisKeys } from '../../src/store/redis';
import { SessionSnapshotStore } from '../../src/store/session-snapshot-store';
import { dropTestKeys } from '../helpers/redis-test-keys';

const redis = createRedis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', 'snapshot-ordering-test');
const keys = new RedisKeys(`snapshot-ordering:${randomUUID().slice(0, 8)}:`);
const store = new SessionSnapshotStore(redis, keys, 60);

function snapshotAfter(sessionId: string, turns: number, status: 'active' | 'ended' = 'active'): SessionSnapshot {
  return {
    session_id: sessionId,
    owner: 'anonymous',
    title: turns > 0 ? 'hello' : null,
    status,
    created_at: '2026-01-01T00:00:00.000Z',
    last_activity_at: '2026-01-01T00:00:00.000Z',
    turns,
    tokens_used: 10 * turns,
    cost: 0,
    messages: [],
    current_turn: null,
  };
}

afterAll(async () => {
  await dropTestKeys(redis, keys.prefix);
  await redis.quit();
});

describe('mirrored snapshot ordering', () => {
  it("when a new session's empty snapshot arrives after its first turn was mirrored then the turn's snapshot stays", async () => {
    const id = randomUUID();
    await store.put(snapshotAfter(id, 1));
    await store.put(snapshotAfter(id, 0));
    expect((await store.get(id))?.turns).toBe(1);
  });

  it('when an older state query result is re-mirrored after a newer snapshot then the newer stays', async () => {
    const id = randomUUID();
    await store.put(snapshotAfter(id, 3));
    await store.put(snapshotAfter(id, 2));
    expect((await store.get(id))?.turns).toBe(3);
  });

  it('when an active snapshot of the same turn count arrives after the session ended then it stays ended', async () => {
    const id = randomUUID();
    await store.put(snapshotAfter(id, 2, 'ended'));
    await store.put(snapshotAfter(id, 2, 'active'));
    expect((await store.get(id))?.status).toBe('ended');
  });

  it('when a snapshot of the same turn count arrives again then it replaces the stored one', async () => {
    const id = randomUUID();
    await store.put(snapshotAfter(id, 2));
    await store.put({ ...snapshotAfter(id, 2), title: 'renamed' });
    expect((await store.get(id))?.title).toBe('renamed');
  });

  it('when a newer snapshot arrives then it replaces the stored one', async () => {
    const id = randomUUID();
    await store.put(snapshotAfter(id, 1));
    await store.put(snapshotAfter(id, 2));
    expect((await store.get(id))?.turns).toBe(2);
  });
});
