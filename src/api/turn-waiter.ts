import type Redis from 'ioredis';
import { TurnTimeoutError } from '../errors';
import type { SessionEventStream } from '../store/session-event-stream';
import type { TurnResult } from '../../workflows/messages';

const TERMINAL_EVENTS = new Set(['done', 'error']);

/**
 * Waits for a turn's final event on the session's Redis stream (not by polling Temporal), so
 * any API process can answer for a turn any worker ran. Reads start after the id taken
 * before the signal was sent, so no event can slip between.
 */
export class TurnWaiter {
  constructor(
    private readonly events: SessionEventStream,
    private readonly openBlockingConnection: () => Redis,
  ) {}

  async wait(sessionId: string, turnId: string, afterId: string, timeoutMs: number, signal?: AbortSignal): Promise<TurnResult> {
    const connection = this.openBlockingConnection();
    const abort = () => connection.disconnect();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      const deadline = Date.now() + timeoutMs;
      let cursor = afterId;
      while (Date.now() < deadline && !signal?.aborted) {
        const entries = await this.events.read(connection, sessionId, cursor, Math.max(1, Math.min(5000, deadline - Date.now())));
        for (const entry of entries) {
          cursor = entry.id;
          if (entry.data.turn_id === turnId && TERMINAL_EVENTS.has(entry.type)) return entry.data as unknown as TurnResult;
        }
      }
      throw new TurnTimeoutError(sessionId, turnId);
    } finally {
      signal?.removeEventListener('abort', abort);
      connection.disconnect();
    }
  }
}
