import type { StoredSessionEvent } from '../../contract/event-catalog';
import { SubscriberOverflowError, type SharedStreamReader } from '../../store/shared-stream-reader';

export interface FollowOptions {
  sessionId: string;
  afterId: string;
  signal: AbortSignal;
  /** Called when no event came for `idleMs` (time for a keep-alive). */
  onIdle?: () => void;
  idleMs?: number;
  /**
   * A consumer that fell behind the shared reader's queue bound subscribes again after the last
   * event it took (a catch-up read) instead of failing; for consumers that only compute, not write.
   */
  resumeOnOverflow?: boolean;
}

/**
 * Yields a session's events after `afterId`, live, until the signal aborts, from the process's
 * shared stream reader: ids are gap-free and in order. Throws when the stream failed, and
 * `SubscriberOverflowError` when the consumer fell too far behind (unless `resumeOnOverflow`).
 */
export async function* followEvents(
  reader: SharedStreamReader,
  options: FollowOptions,
): AsyncGenerator<StoredSessionEvent> {
  let subscription = reader.subscribe(options.sessionId, options.afterId);
  const abort = () => subscription.close();
  options.signal.addEventListener('abort', abort, { once: true });
  try {
    while (!options.signal.aborted) {
      let next;
      try {
        next = await subscription.next(options.idleMs ?? 15_000);
      } catch (err) {
        if (!(options.resumeOnOverflow && err instanceof SubscriberOverflowError)) throw err;
        subscription = reader.subscribe(options.sessionId, subscription.lastId);
        continue;
      }
      if (next === 'closed') return;
      if (next === 'idle') options.onIdle?.();
      else yield next;
    }
  } finally {
    options.signal.removeEventListener('abort', abort);
    subscription.close();
  }
}
