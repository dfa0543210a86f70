import Router from '@koa/router';
import type Redis from 'ioredis';
import { ValidationError } from '../../errors';
import type { SessionEventStream } from '../../store/session-event-stream';
import { chatRequestSchema, lastEventIdSchema, parseOrThrow, sessionIdSchema } from '../schemas';
import type { SessionService } from '../session-service';
import { principalOf } from './chat-routes';
import { followEvents } from '../sse/event-follower';
import type { OpenChannels } from '../sse/open-channels';
import { SseChannel } from '../sse/sse-channel';
import { TurnObserver } from '../../metrics/turn-observer';
import { isTurnEnding, turnIdOf } from '../../contract/event-catalog';

export interface StreamRouteDeps {
  sessions: SessionService;
  events: SessionEventStream;
  openBlockingConnection: () => Redis;
  releaseBlockingConnection?: (connection: Redis) => void;
  channels: OpenChannels;
  maxMessageChars: number;
}

/**
 * Streaming endpoints. Events come from the session's Redis stream, each sent with its stream
 * id as the SSE `id:`, so a client that drops resumes with Last-Event-ID and misses nothing.
 */
export function streamRoutes(deps: StreamRouteDeps): Router {
  const router = new Router({ prefix: '/api/chat' });
  const chatRequest = chatRequestSchema(deps.maxMessageChars);

  router.post('/message/stream', async (ctx) => {
    const request = parseOrThrow(chatRequest, ctx.request.body, 'chat message');
    const principal = principalOf(ctx);
    const ticket = await deps.sessions.startTurn(request, principal, ctx.state.requestId);
    const channel = new SseChannel(ctx);
    const untrack = deps.channels.track(channel);
    channel.send({
      type: 'metadata',
      data: { session_id: ticket.session_id, turn_id: ticket.turn_id, model: ticket.model, created_at: ticket.received_at },
    });
    if (request.cancel_on_disconnect) {
      channel.signal.addEventListener('abort', () => void deps.sessions.cancelTurn(ticket.session_id, principal, 'client disconnected').catch(() => undefined));
    }
    const observer = new TurnObserver(ticket.turn_id, Date.parse(ticket.received_at));
    void pump(channel, ticket.session_id, ticket.after_id, ticket.turn_id, true, observer).finally(untrack);
  });

  router.get('/session/:session_id/events', async (ctx) => {
    const sessionId = parseOrThrow(sessionIdSchema, ctx.params.session_id, 'session id');
    const rawLastId = ctx.get('last-event-id') || (typeof ctx.query.last_event_id === 'string' ? ctx.query.last_event_id : undefined);
    const lastId = rawLastId === undefined ? undefined : parseOrThrow(lastEventIdSchema, rawLastId, 'Last-Event-ID');
    const untilDone = ctx.query.until === 'done';
    if (ctx.query.until !== undefined && !untilDone) throw new ValidationError('until must be "done" when given');
    await deps.sessions.authorize(sessionId, principalOf(ctx));
    const resumable = lastId ? await deps.events.canResumeAfter(sessionId, lastId) : { ok: true as const };
    const channel = new SseChannel(ctx);
    if (!resumable.ok) {
      channel.send({ type: 'stream_expired', data: { session_id: sessionId, last_event_id: lastId ?? '', message: `${resumable.reason} Read GET /api/chat/history/${sessionId} for the turns.` } });
      channel.end();
      return;
    }
    const untrack = deps.channels.track(channel);
    void pump(channel, sessionId, lastId ?? '0-0', undefined, untilDone).finally(untrack);
  });

  router.post('/session/:session_id/cancel', async (ctx) => {
    const sessionId = parseOrThrow(sessionIdSchema, ctx.params.session_id, 'session id');
    ctx.status = 202;
    ctx.body = await deps.sessions.cancelTurn(sessionId, principalOf(ctx));
  });

  /** Copies stream entries to the client; with `stopAtTerminal`, ends after the turn's last event. */
  async function pump(channel: SseChannel, sessionId: string, afterId: string, turnId: string | undefined, stopAtTerminal: boolean, observer?: TurnObserver): Promise<void> {
    try {
      for await (const entry of followEvents(deps.events, deps.openBlockingConnection(), {
        sessionId,
        afterId,
        signal: channel.signal,
        onIdle: () => channel.ping(),
        release: deps.releaseBlockingConnection,
      })) {
        const { id, ...event } = entry;
        if (turnId && turnIdOf(event) !== turnId) continue;
        channel.send(event, id);
        observer?.see(event);
        if (stopAtTerminal && isTurnEnding(event)) break;
      }
    } catch (err) {
      channel.send({ type: 'error', data: { code: 'stream_failed', message: `Lost the event stream: ${(err as Error).message}. Reconnect with Last-Event-ID.` } });
    } finally {
      channel.end();
    }
  }

  return router;
}
