import { isTurnEnding, turnIdOf, type TurnEndingEvent } from '../../contract/event-catalog';
import { TurnTimeoutError } from '../../errors';
import { TurnObserver } from '../../metrics/turn-observer';
import type { SharedStreamReader } from '../../store/shared-stream-reader';
import { followEvents } from './event-follower';

/**
 * Waits for a turn's final event on the session's Redis stream (not by polling Temporal), so
 * any API process can answer for a turn any worker ran; through the process's shared reader, so
 * waiting requests hold no Redis connection each. Reads start after the id taken
 * before the signal was sent, so no event can slip between.
 */
export class TurnWaiter {
  constructor(private readonly reader: SharedStreamReader) {}

  /** With `acceptedAtMs` (when the API accepted the message), also records time to first token and turn latency. */
  async wait(
    sessionId: string,
    turnId: string,
    afterId: string,
    timeoutMs: number,
    signal?: AbortSignal,
    acceptedAtMs?: number,
  ): Promise<TurnEndingEvent> {
    const observer = acceptedAtMs === undefined ? undefined : new TurnObserver(turnId, acceptedAtMs);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const follow = followEvents(this.reader, {
        sessionId,
        afterId,
        signal: controller.signal,
        idleMs: timeoutMs,
        resumeOnOverflow: true,
      });
      for await (const event of follow) {
        observer?.see(event);
        if (turnIdOf(event) === turnId && isTurnEnding(event)) {
          controller.abort();
          return event;
        }
      }
      throw new TurnTimeoutError(sessionId, turnId);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
