import type Redis from 'ioredis';
import { isTurnEnding, turnIdOf, type TurnEndingEvent } from '../../contract/event-catalog';
import { TurnTimeoutError } from '../../errors';
import { TurnObserver } from '../../metrics/turn-observer';
import type { SessionEventStream } from '../../store/session-event-stream';
import { followEvents } from './event-follower';

/**
 * Waits for a turn's final event on the session's Redis stream (not by polling Temporal), so
 * any API process can answer for a turn any worker ran. Reads start after the id taken
 * before the signal was sent, so no event can slip between.
 */
export class TurnWaiter {
  constructor(
    private readonly events: SessionEventStream,
    private readonly openBlockingConnection: () => Redis,
    private readonly releaseBlockingConnection?: (connection: Redis) => void,
  ) {}

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
      const follow = followEvents(this.events, this.openBlockingConnection(), {
        sessionId,
        afterId,
        signal: controller.signal,
        blockMs: Math.min(5000, timeoutMs),
        release: this.releaseBlockingConnection,
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
