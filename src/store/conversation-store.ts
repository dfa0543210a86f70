import type Redis from 'ioredis';
import type { ChatMessage } from '../contract/chat-message';
import type { ConversationSummary } from '../contract/conversation';
import type { RedisKeys } from './redis';

/**
 * Each message of a session once, in one Redis hash per session with the snapshot's sliding TTL:
 * the parts of a running turn (user message, model answers, tool results; see contract/conversation.ts)
 * and, once a turn is archived, the turn's whole message list under its turn id. Writes are
 * idempotent (same key, same body), so retried activities may repeat them.
 */
export class ConversationStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
  ) {}

  private key(sessionId: string): string {
    return `${this.keys.snapshot(sessionId)}:conversation`;
  }

  /** Stores one message of a running turn. */
  async putMessage(sessionId: string, key: string, message: ChatMessage): Promise<void> {
    const hash = this.key(sessionId);
    failOn(await this.redis.multi().hset(hash, key, JSON.stringify(message)).expire(hash, this.ttlSeconds).exec());
  }

  /** The messages under these keys, null where the store has none. */
  async messages(sessionId: string, keys: string[]): Promise<Array<ChatMessage | null>> {
    if (keys.length === 0) return [];
    const raw = await this.redis.hmget(this.key(sessionId), ...keys);
    return raw.map((r) => (r === null ? null : (JSON.parse(r) as ChatMessage)));
  }

  /** Stores a finished turn's message list under its number and drops its parts (`partKeys`: the list holds them). */
  async putTurn(sessionId: string, seq: number, messages: ChatMessage[], partKeys: string[]): Promise<void> {
    const hash = this.key(sessionId);
    const tx = this.redis.multi().hset(hash, `n${seq}`, JSON.stringify(messages));
    if (partKeys.length > 0) tx.hdel(hash, ...partKeys);
    failOn(await tx.expire(hash, this.ttlSeconds).exec());
  }

  /** Finished turns' message lists by turn number, null where the store has none. */
  async turns(sessionId: string, seqs: number[]): Promise<Array<ChatMessage[] | null>> {
    if (seqs.length === 0) return [];
    const key = this.key(sessionId);
    const [raw] = failOn(
      await this.redis
        .multi()
        .hmget(key, ...seqs.map((n) => `n${n}`))
        .expire(key, this.ttlSeconds)
        .exec(),
    ) as [Array<string | null>];
    return raw.map((r) => (r === null ? null : (JSON.parse(r) as ChatMessage[])));
  }

  /** Stores a summary under the last turn it covers. */
  async putSummary(sessionId: string, summary: ConversationSummary): Promise<void> {
    const hash = this.key(sessionId);
    failOn(
      await this.redis.multi().hset(hash, `s${summary.through}`, summary.text).expire(hash, this.ttlSeconds).exec(),
    );
  }

  /** The summary through this turn, if the store has it. */
  async summary(sessionId: string, through: number): Promise<ConversationSummary | undefined> {
    const text = await this.redis.hget(this.key(sessionId), `s${through}`);
    return text === null ? undefined : { through, text };
  }
}

/** A MULTI's replies, or its first error thrown (ioredis reports per-command errors in the replies). */
function failOn(replies: Array<[Error | null, unknown]> | null): unknown[] {
  if (!replies) throw new Error('Redis transaction aborted');
  for (const [err] of replies) if (err) throw err;
  return replies.map(([, reply]) => reply);
}
