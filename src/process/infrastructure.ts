import type Redis from 'ioredis';
import type { Knex } from 'knex';
import type { Config } from '../config';
import { MemoryStore } from '../memory/memory-store';
import { ChatHistoryStore } from '../store/chat-history-store';
import { ConversationStore } from '../store/conversation-store';
import { createKnex, runMigrations } from '../store/knex';
import { createRedis, RedisKeys } from '../store/redis';
import { SessionEventStream } from '../store/session-event-stream';
import { SessionRecordStore } from '../store/session-record-store';
import { SessionSnapshotStore } from '../store/session-snapshot-store';

/** The stores every process role shares: Redis (live state, streams) and the archive (SQLite, or Postgres with DATABASE_URL). */
export interface Infrastructure {
  redis: Redis;
  keys: RedisKeys;
  events: SessionEventStream;
  snapshots: SessionSnapshotStore;
  conversation: ConversationStore;
  knex: Knex;
  history: ChatHistoryStore;
  sessionRecords: SessionRecordStore;
  /** Long-term memories per principal (the archive's `memories` table). */
  memories: MemoryStore;
  close(): Promise<void>;
}

export async function openInfrastructure(config: Config, role: string): Promise<Infrastructure> {
  const redis = createRedis(config.REDIS_URL, `chat-${role}`);
  redis.on('error', () => undefined); // reconnects on its own; callers see command errors
  const keys = new RedisKeys(config.REDIS_KEY_PREFIX);
  const knex = createKnex(config.archiveLocation);
  await runMigrations(knex);
  return {
    redis,
    keys,
    events: new SessionEventStream(redis, keys, config.STREAM_MAX_LEN, config.SESSION_SNAPSHOT_TTL_SECONDS),
    snapshots: new SessionSnapshotStore(redis, keys, config.SESSION_SNAPSHOT_TTL_SECONDS),
    conversation: new ConversationStore(redis, keys, config.SESSION_SNAPSHOT_TTL_SECONDS),
    knex,
    history: new ChatHistoryStore(knex),
    sessionRecords: new SessionRecordStore(knex),
    memories: new MemoryStore(knex),
    async close() {
      await Promise.allSettled([redis.quit(), knex.destroy()]);
    },
  };
}
