import { isTurnEnding, turnIdOf } from '../../contract/event-catalog';
import type { TurnObserver } from '../../metrics/turn-observer';
import type { SessionEventStream } from '../../store/session-event-stream';
import { SubscriberOverflowError, type SharedStreamReader } from '../../store/shared-stream-reader';
import { followEvents } from './event-follower';
import type { SseChannel } from './sse-channel';

export interface PumpOptions {
  sessionId: string;
  afterId: string;
  /** Only this turn's events (the stream of one message); undefined sends every event of the session. */
  turnId?: string;
  /** End after the turn's last event (of `turnId` when given, else of any turn) instead of following the session on. */
  stopAtTurnEnd: boolean;
  observer?: TurnObserver;
}

export interface PumpSource {
  events: SessionEventStream;
  reader: SharedStreamReader;
}

/**
 * Copies the session's stream entries to one SSE client, each with its stream id as the SSE `id:`
 * so the client can resume with Last-Event-ID. Always ends the channel; a lost Redis stream ends
 * it with an `error` event telling the client to reconnect. The shared reader never waits for this
 * client: its events queue (bounded) while the client's buffer is full, and a client that stays
 * behind past the drain timeout or the queue bound is dropped with `slow_consumer`.
 */
export async function pumpSessionEvents(source: PumpSource, channel: SseChannel, options: PumpOptions): Promise<void> {
  try {
    for await (const entry of followEvents(source.reader, {
      sessionId: options.sessionId,
      afterId: options.afterId,
      signal: channel.signal,
      onIdle: () => channel.ping(),
    })) {
      const { id, ...event } = entry;
      if (options.turnId && turnIdOf(event) !== options.turnId) continue;
      const keptUp = channel.send(event, id);
      options.observer?.see(event);
      if (options.stopAtTurnEnd && isTurnEnding(event)) break;
      if (!keptUp && !(await channel.drained())) {
        if (!channel.closed) channel.dropSlowConsumer();
        return;
      }
    }
  } catch (err) {
    if (err instanceof SubscriberOverflowError) {
      if (!channel.closed) channel.dropSlowConsumer();
      return;
    }
    channel.send({
      type: 'error',
      data: {
        code: 'stream_failed',
        message: `Lost the event stream: ${(err as Error).message}. Reconnect with Last-Event-ID.`,
      },
    });
  } finally {
    channel.end();
  }
}
