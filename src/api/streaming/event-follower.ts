import type Redis from 'ioredis';
import type { StoredSessionEvent } from '../../contract/event-catalog';
import type { SessionEventStream } from '../../store/session-event-stream';

export interface FollowOptions {
  sessionId: string;
  afterId: string;
  signal: AbortSignal;
  /** Called when a blocking read returned nothing (time for a keep-alive). */
  onIdle?: () => void;
  blockMs?: number;
  /** Takes the connection back when no read is in flight on it; otherwise it is closed. */
  release?: (connection: Redis) => void;
}

/**
 * Yields a session's events after `afterId`, live, until the signal aborts. Entries are read
 * with XREAD BLOCK on a connection of its own (from a pool when `release` is given), so ids are
 * gap-free and in order.
 */
export async function* followEvents(
  events: SessionEventStream,
  connection: Redis,
  options: FollowOptions,
): AsyncGenerator<StoredSessionEvent> {
  // Only a disconnect interrupts a blocking read; between reads the loop sees the signal itself.
  let reading = false;
  let broken = false;
  const abort = () => {
    if (!reading) return;
    broken = true;
    connection.disconnect();
  };
  options.signal.addEventListener('abort', abort, { once: true });
  let cursor = options.afterId;
  try {
    while (!options.signal.aborted) {
      let batch: { events: StoredSessionEvent[]; lastId: string };
      try {
        reading = true;
        batch = await events.read(connection, options.sessionId, cursor, options.blockMs ?? 15_000);
      } catch (err) {
        broken = true;
        if (options.signal.aborted) return;
        throw err;
      } finally {
        reading = false;
      }
      if (batch.lastId === cursor) options.onIdle?.();
      for (const event of batch.events) {
        cursor = event.id;
        yield event;
      }
      cursor = batch.lastId;
    }
  } finally {
    options.signal.removeEventListener('abort', abort);
    if (!broken && options.release) options.release(connection);
    else connection.disconnect();
  }
}
