import Router from '@koa/router';
import { ValidationError } from '../../errors';
import { TurnObserver } from '../../metrics/turn-observer';
import { idempotencyKeyOf } from '../requests/idempotency-key';
import { parseOrThrow } from '../requests/parse-or-throw';
import { chatRequestSchema, lastEventIdSchema, sessionIdSchema } from '../requests/request-schemas';
import { principalOf } from '../security/principal-of';
import type { SessionService } from '../sessions/session-service';
import type { OpenChannels } from './open-channels';
import { pumpSessionEvents, type PumpSource } from './pump-session-events';
import { SseChannel } from './sse-channel';

export interface StreamingDeps extends PumpSource {
  channels: OpenChannels;
}

export interface StreamRouteDeps extends StreamingDeps {
  sessions: SessionService;
  maxMessageChars: number;
}

/** Server-sent events: one message's turn as it happens, and a session's events, resumable with Last-Event-ID. */
export function streamRoutes(deps: StreamRouteDeps): Router {
  const router = new Router({ prefix: '/api/chat' });
  const chatRequest = chatRequestSchema(deps.maxMessageChars);

  router.post('/message/stream', async (ctx) => {
    const request = parseOrThrow(chatRequest, ctx.request.body, 'chat message');
    const principal = principalOf(ctx);
    const { commands } = deps.sessions;
    const ticket = await commands.startTurn(request, principal, ctx.state.requestId, idempotencyKeyOf(ctx));
    const channel = new SseChannel(ctx);
    const untrack = deps.channels.track(channel);
    channel.send({
      type: 'metadata',
      data: {
        session_id: ticket.session_id,
        turn_id: ticket.turn_id,
        model: ticket.model,
        created_at: ticket.received_at,
      },
    });
    if (request.cancel_on_disconnect) {
      channel.signal.addEventListener(
        'abort',
        () => void commands.cancelTurn(ticket.session_id, principal, 'client disconnected').catch(() => undefined),
      );
    }
    const observer = new TurnObserver(ticket.turn_id, Date.parse(ticket.received_at));
    const pumping = pumpSessionEvents(deps, channel, {
      sessionId: ticket.session_id,
      afterId: ticket.after_id,
      turnId: ticket.turn_id,
      stopAtTurnEnd: true,
      observer,
    });
    void pumping.finally(untrack);
  });

  router.get('/session/:session_id/events', async (ctx) => {
    const sessionId = parseOrThrow(sessionIdSchema, ctx.params.session_id, 'session id');
    const rawLastId =
      ctx.get('last-event-id') || (typeof ctx.query.last_event_id === 'string' ? ctx.query.last_event_id : undefined);
    const lastId = rawLastId === undefined ? undefined : parseOrThrow(lastEventIdSchema, rawLastId, 'Last-Event-ID');
    const untilDone = ctx.query.until === 'done';
    if (ctx.query.until !== undefined && !untilDone) throw new ValidationError('until must be "done" when given');
    await deps.sessions.access.authorize(sessionId, principalOf(ctx));
    const resumable = lastId ? await deps.events.canResumeAfter(sessionId, lastId) : { ok: true as const };
    const channel = new SseChannel(ctx);
    if (!resumable.ok) {
      channel.send({
        type: 'stream_expired',
        data: {
          session_id: sessionId,
          last_event_id: lastId ?? '',
          message: `${resumable.reason} Read GET /api/chat/history/${sessionId} for the turns.`,
        },
      });
      channel.end();
      return;
    }
    const untrack = deps.channels.track(channel);
    void pumpSessionEvents(deps, channel, { sessionId, afterId: lastId ?? '0-0', stopAtTurnEnd: untilDone }).finally(
      untrack,
    );
  });

  return router;
}
