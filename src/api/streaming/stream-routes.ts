import Router from '@koa/router';
import type { Context } from 'koa';
import { InvalidLastEventIdError } from '../../errors';
import { TurnObserver } from '../../metrics/turn-observer';
import { idempotencyKeyOf } from '../requests/idempotency-key';
import { parseOrThrow } from '../requests/parse-or-throw';
import {
  chatRequestSchema,
  lastEventIdSchema,
  sessionEventsQuerySchema,
  sessionIdSchema,
} from '../requests/request-schemas';
import { ANONYMOUS_PRINCIPAL } from '../security/api-key-authenticator';
import { principalOf } from '../security/principal-of';
import type { SessionService } from '../sessions/session-service';
import type { OpenChannels } from './open-channels';
import { pumpSessionEvents, type PumpSource } from './pump-session-events';
import { SseChannel } from './sse-channel';

export interface StreamingDeps extends PumpSource {
  channels: OpenChannels;
  /** How long a client may leave its send buffer full before it is dropped as a slow consumer. */
  drainTimeoutMs: number;
}

export interface StreamRouteDeps extends StreamingDeps {
  sessions: SessionService;
  maxMessageChars: number;
}

/** Whose streams count against one cap: the principal, or the IP when the API runs open (everyone is anonymous). */
function streamCaller(ctx: Context): string {
  const principal = principalOf(ctx);
  return principal === ANONYMOUS_PRINCIPAL ? `ip:${ctx.ip}` : `principal:${principal}`;
}

/** Last-Event-ID (header, else query) as a stream id; anything else is a 400, not a silent stall. */
function lastEventIdOf(ctx: Context, fromQuery: string | undefined): string | undefined {
  const raw = ctx.get('last-event-id') || fromQuery;
  if (raw === undefined) return undefined;
  const parsed = lastEventIdSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidLastEventIdError(parsed.error.issues[0]?.message ?? 'Malformed Last-Event-ID.');
  return parsed.data;
}

/** Server-sent events: one message's turn as it happens, and a session's events, resumable with Last-Event-ID. */
export function streamRoutes(deps: StreamRouteDeps): Router {
  const router = new Router({ prefix: '/api/chat' });
  const chatRequest = chatRequestSchema(deps.maxMessageChars);
  const channelOptions = { drainTimeoutMs: deps.drainTimeoutMs };

  router.post('/message/stream', async (ctx) => {
    const request = parseOrThrow(chatRequest, ctx.request.body, 'chat message');
    const principal = principalOf(ctx);
    const { commands } = deps.sessions;
    // The slot is claimed before the turn starts: a refused stream must not leave a turn behind.
    const release = deps.channels.claim(streamCaller(ctx));
    let ticket;
    try {
      ticket = await commands.startTurn(request, principal, ctx.state.requestId, idempotencyKeyOf(ctx));
    } catch (err) {
      release();
      throw err;
    }
    const channel = new SseChannel(ctx, channelOptions);
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
      // Only a client that left before its turn's last event; the cancel names the turn, so it cannot hit the next one.
      const cancel = { turnId: ticket.turn_id, reason: 'client disconnected' };
      const sessionId = ticket.session_id;
      channel.clientGone.addEventListener(
        'abort',
        () => void commands.cancelTurn(sessionId, principal, cancel).catch(() => undefined),
        { once: true },
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
    void pumping.finally(() => {
      untrack();
      release();
    });
  });

  router.get('/session/:session_id/events', async (ctx) => {
    const sessionId = parseOrThrow(sessionIdSchema, ctx.params.session_id, 'session id');
    const query = parseOrThrow(sessionEventsQuerySchema, ctx.query, 'events query');
    const lastId = lastEventIdOf(ctx, query.last_event_id);
    await deps.sessions.access.authorize(sessionId, principalOf(ctx));
    const resumable = lastId ? await deps.events.canResumeAfter(sessionId, lastId) : { ok: true as const };
    if (!resumable.ok && resumable.problem === 'ahead') throw new InvalidLastEventIdError(resumable.reason);
    const release = deps.channels.claim(streamCaller(ctx));
    const channel = new SseChannel(ctx, channelOptions);
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
      release();
      return;
    }
    const untrack = deps.channels.track(channel);
    void pumpSessionEvents(deps, channel, {
      sessionId,
      afterId: lastId ?? '0-0',
      turnId: query.turn_id,
      stopAtTurnEnd: query.until === 'done',
    }).finally(() => {
      untrack();
      release();
    });
  });

  return router;
}
