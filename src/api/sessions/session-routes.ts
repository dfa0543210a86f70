import Router from '@koa/router';
import { idempotencyKeyOf } from '../requests/idempotency-key';
import { parseOrThrow } from '../requests/parse-or-throw';
import {
  approvalRequestSchema,
  callIdSchema,
  cancelRequestSchema,
  chatRequestSchema,
  endSessionQuerySchema,
  sessionIdSchema,
  sessionListQuerySchema,
} from '../requests/request-schemas';
import { principalOf } from '../security/principal-of';
import { requestAbortSignal } from './request-abort-signal';
import type { SessionService } from './session-service';

/** Sessions and their messages over JSON: validate, call the service, answer. */
export function sessionRoutes(sessions: SessionService, maxMessageChars: number): Router {
  const router = new Router({ prefix: '/api/chat' });
  const chatRequest = chatRequestSchema(maxMessageChars);

  router.post('/session', async (ctx) => {
    ctx.status = 201;
    ctx.body = await sessions.commands.createSession(principalOf(ctx), idempotencyKeyOf(ctx));
  });

  router.get('/sessions', async (ctx) => {
    const query = parseOrThrow(sessionListQuerySchema, ctx.query, 'session list query');
    ctx.body = await sessions.reads.listSessions(principalOf(ctx), query);
  });

  router.post('/message', async (ctx) => {
    const key = idempotencyKeyOf(ctx);
    const request = parseOrThrow(chatRequest, ctx.request.body, 'chat message');
    const principal = principalOf(ctx);
    const ticket = await sessions.commands.startTurn(request, principal, ctx.state.requestId, key);
    const gone = requestAbortSignal(ctx.req, ctx.res);
    // A client that leaves stops our wait; the turn goes on unless it asked otherwise (then only its own turn).
    if (request.cancel_on_disconnect) {
      const cancel = { turnId: ticket.turn_id, reason: 'client disconnected' };
      gone.addEventListener(
        'abort',
        () => void sessions.commands.cancelTurn(ticket.session_id, principal, cancel).catch(() => undefined),
      );
    }
    ctx.body = await sessions.turnResults.wait(ticket, gone);
  });

  router.get('/history/:session_id', async (ctx) => {
    const sessionId = parseOrThrow(sessionIdSchema, ctx.params.session_id, 'session id');
    const body = await sessions.reads.historyBody(sessionId, principalOf(ctx));
    ctx.type = 'json'; // the JSON text Koa would have made of the object
    ctx.body = body;
  });

  router.get('/session/:session_id', async (ctx) => {
    const sessionId = parseOrThrow(sessionIdSchema, ctx.params.session_id, 'session id');
    ctx.body = await sessions.reads.session(sessionId, principalOf(ctx));
  });

  router.delete('/session/:session_id', async (ctx) => {
    const sessionId = parseOrThrow(sessionIdSchema, ctx.params.session_id, 'session id');
    const query = parseOrThrow(endSessionQuerySchema, ctx.query, 'end session query');
    ctx.body = await sessions.commands.endSession(sessionId, principalOf(ctx), { finishRunning: query.finish_running });
  });

  router.post('/session/:session_id/cancel', async (ctx) => {
    const sessionId = parseOrThrow(sessionIdSchema, ctx.params.session_id, 'session id');
    const request = parseOrThrow(cancelRequestSchema, ctx.request.body ?? {}, 'cancel request');
    ctx.status = 202;
    ctx.body = await sessions.commands.cancelTurn(sessionId, principalOf(ctx), { turnId: request.turn_id });
  });

  router.post('/session/:session_id/tool-calls/:call_id/approval', async (ctx) => {
    const sessionId = parseOrThrow(sessionIdSchema, ctx.params.session_id, 'session id');
    const callId = parseOrThrow(callIdSchema, ctx.params.call_id, 'call id');
    const request = parseOrThrow(approvalRequestSchema, ctx.request.body, 'approval');
    ctx.body = await sessions.approvals.decide(sessionId, callId, principalOf(ctx), request);
  });

  return router;
}
