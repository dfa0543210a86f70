import type Redis from 'ioredis';
import type { LiveTurn } from '../contract/turn';
import type { SessionSnapshot } from '../contract/session';
import type { RedisKeys } from './redis';

/** The compare-and-set as a named ioredis command: EVALSHA, so the script is not resent per write. */
type RedisWithPutSnapshot = Redis & {
  putSnapshotIfNotOlder(
    key: string,
    archivingKey: string,
    json: string,
    version: string,
    ttlSeconds: string,
  ): Promise<number>;
};

/** The snapshot as stored and whether a turn may be archived but not yet in it (see `markArchiving`). */
export interface SnapshotRead {
  snapshot: SessionSnapshot | null;
  archiving: boolean;
}

/** The session snapshot mirrored to Redis for fast reads, with a sliding TTL. */
export class SessionSnapshotStore {
  private readonly redis: RedisWithPutSnapshot;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
  ) {
    redis.defineCommand('putSnapshotIfNotOlder', { numberOfKeys: 2, lua: PUT_IF_NOT_OLDER });
    this.redis = redis as RedisWithPutSnapshot;
  }

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
    return withLiveTurn(raw, live);
  }

  /**
   * The snapshot as stored (no live turn folded in: readers of the archive's view need none) and
   * whether a turn is being archived. The marker is read first, in the same pipeline: absent then,
   * every turn archived so far was already in the stored snapshot, so the snapshot read after it has
   * at least the archive's turns. Both TTLs slide, as `get` slides the snapshot's.
   */
  async getWithArchiving(sessionId: string): Promise<SnapshotRead> {
    const results = await this.redis
      .pipeline()
      .getex(this.archivingKey(sessionId), 'EX', this.ttlSeconds)
      .getex(this.keys.snapshot(sessionId), 'EX', this.ttlSeconds)
      .exec();
    const [[markErr, marker], [snapErr, raw]] = results as Array<[Error | null, string | null]>;
    if (markErr) throw markErr;
    if (snapErr) throw snapErr;
    return { snapshot: raw === null ? null : (JSON.parse(raw) as SessionSnapshot), archiving: marker !== null };
  }

  /**
   * Written before a turn's archive row, removed by the `put` of a snapshot holding that turn: while
   * it exists the archive may hold a turn the snapshot does not (the archive is written first).
   */
  async markArchiving(sessionId: string, turnId: string): Promise<void> {
    await this.redis.set(this.archivingKey(sessionId), turnId, 'EX', this.ttlSeconds);
  }

  private archivingKey(sessionId: string): string {
    return `${this.keys.snapshot(sessionId)}:archiving`;
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

  /**
   * Writes the snapshot unless the stored one is newer: the API's empty snapshot of a new session, or
   * a `state` query result it re-mirrors, may arrive after the workflow mirrored a later turn.
   * Returns whether it was written.
   */
  async put(snapshot: SessionSnapshot): Promise<boolean> {
    const written = await this.redis.putSnapshotIfNotOlder(
      this.keys.snapshot(snapshot.session_id),
      this.archivingKey(snapshot.session_id),
      JSON.stringify(snapshot),
      String(snapshotVersion(snapshot)),
      String(this.ttlSeconds),
    );
    return written === 1;
  }
}

/** The stored snapshot JSON with the live turn's progress (if any) as `current_turn`. */
function withLiveTurn(raw: string | null, live: string | null): SessionSnapshot | null {
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

/**
 * Grows with every change the workflow mirrors: a turn recorded (`turns` never decreases, across
 * continue-as-new too) or the session ended (last, at the same turn count). PUT_IF_NOT_OLDER
 * computes the same from the stored JSON.
 */
function snapshotVersion(snapshot: Pick<SessionSnapshot, 'turns' | 'status'>): number {
  return snapshot.turns * 2 + (snapshot.status === 'ended' ? 1 : 0);
}

/**
 * SET … EX unless the stored snapshot's version is higher; atomic, so two writers cannot interleave.
 * Then the archiving marker (KEYS[2]) goes if the snapshot now stored holds its turn (the JSON has
 * `"turn_id":"<marker>"`): in the same script, so no reader sees the marker gone and the old snapshot.
 */
const PUT_IF_NOT_OLDER = `
local stored = redis.call('GET', KEYS[1])
local kept = ARGV[1]
local written = 1
if stored then
  local ok, old = pcall(cjson.decode, stored)
  if ok and type(old) == 'table' and type(old.turns) == 'number' then
    local version = old.turns * 2
    if old.status == 'ended' then version = version + 1 end
    if version > tonumber(ARGV[2]) then
      kept = stored
      written = 0
    end
  end
end
if written == 1 then redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[3])) end
local marker = redis.call('GET', KEYS[2])
if marker and string.find(kept, '"turn_id":"' .. marker .. '"', 1, true) then redis.call('DEL', KEYS[2]) end
return written
`;
