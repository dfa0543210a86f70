import type Redis from 'ioredis';
import type { LiveTurn } from '../contract/turn';
import type { SessionSnapshot } from '../contract/session';
import type { RedisKeys } from './redis';

/** The session snapshot mirrored to Redis for fast reads, with a sliding TTL. */
export class SessionSnapshotStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
  ) {}

  /** The snapshot with the live turn (if one runs) folded in as `current_turn`. */
  async get(sessionId: string): Promise<SessionSnapshot | null> {
    // GETEX reads and slides the TTL in one round trip; both keys in one pipeline.
    const results = await this.redis
      .pipeline()
      .getex(this.keys.snapshot(sessionId), 'EX', this.ttlSeconds)
      .get(this.liveKey(sessionId))
      .exec();
    const [[snapErr, raw], [, live]] = results as Array<[Error | null, string | null]>;
    if (snapErr) throw snapErr;
    if (raw === null) return null;
    const snapshot = JSON.parse(raw) as SessionSnapshot;
    if (live) {
      const turn = JSON.parse(live) as LiveTurn;
      snapshot.current_turn = {
        turn_id: turn.turn_id,
        step: turn.step,
        phase: turn.phase,
        model: turn.model,
        user_message: turn.user_message,
      };
    }
    return snapshot;
  }

  private liveKey(sessionId: string): string {
    return `${this.keys.snapshot(sessionId)}:live`;
  }

  /** Cheap progress marker written by activities mid-turn (not the whole snapshot). */
  async setLive(sessionId: string, live: LiveTurn): Promise<void> {
    await this.redis.set(this.liveKey(sessionId), JSON.stringify(live), 'EX', this.ttlSeconds);
  }

  async clearLive(sessionId: string): Promise<void> {
    await this.redis.del(this.liveKey(sessionId));
  }

  async put(snapshot: SessionSnapshot): Promise<void> {
    await this.redis.set(this.keys.snapshot(snapshot.session_id), JSON.stringify(snapshot), 'EX', this.ttlSeconds);
  }
}
