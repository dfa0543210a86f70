import type Redis from 'ioredis';
import type { SessionSnapshot } from '../../activities/types';
import type { RedisKeys } from './redis';

/** The session snapshot mirrored to Redis for fast reads, with a sliding TTL. */
export class SessionSnapshotStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
  ) {}

  async get(sessionId: string): Promise<SessionSnapshot | null> {
    // GETEX reads and slides the TTL in one round trip.
    const raw = await this.redis.getex(this.keys.snapshot(sessionId), 'EX', this.ttlSeconds);
    if (raw === null) return null;
    return JSON.parse(raw) as SessionSnapshot;
  }

  async put(snapshot: SessionSnapshot): Promise<void> {
    await this.redis.set(this.keys.snapshot(snapshot.session_id), JSON.stringify(snapshot), 'EX', this.ttlSeconds);
  }
}
