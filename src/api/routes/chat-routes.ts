import Router from '@koa/router';
import type { Context } from 'koa';
import { chatRequestSchema, endSessionQuerySchema, parseOrThrow, sessionIdSchema, sessionListQuerySchema } from '../schemas';
import type { SessionService } from '../session-service';

function requestAbortSignal(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): AbortSignal {
  // Fires only when the client goes away before we answered; the turn itself goes on.
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  req.once('error', () => controller.abort());
  return controller.signal;
}

/** The caller as authentication left it; `anonymous` when the API runs open. */
export const principalOf = (ctx: Context): string => ctx.state.principal ?? 'anonymous';

export function chatRoutes(sessions: SessionService, maxMessageChars: number): Router {
  const router = new Router({ prefix: '/api/chat' });
  const chatRequest = chatRequestSchema(maxMessageChars);

  router.post('/session', async (ctx) => {
    ctx.status = 201;
    ctx.body = await sessions.createSession(principalOf(ctx));
  });

  router.get('/sessions', async (ctx) => {
    const query = parseOrThrow(sessionListQuerySchema, ctx.query, 'session list query');
    ctx.body = await sessions.listSessions(principalOf(ctx), query);
  });

  router.post('/message', async (ctx) => {
    const request = parseOrThrow(chatRequest, ctx.request.body, 'chat message');
    const principal = principalOf(ctx);
    const ticket = await sessions.startTurn(request, principal, ctx.state.requestId);
    const gone = requestAbortSignal(ctx.req, ctx.res);
    // A client that leaves stops our wait; the turn goes on unless it asked otherwise.
    if (request.cancel_on_disconnect) {
      gone.addEventListener('abort', () => void sessions.cancelTurn(ticket.session_id, principal, 'client disconnected').catch(() => undefined));
    }
    ctx.body = await sessions.waitForTurn(ticket, gone);
  });

  router.get('/history/:session_id', async (ctx) => {
    const sessionId = parseOrThrow(sessionIdSchema, ctx.params.session_id, 'session id');
    ctx.body = { session_id: sessionId, messages: await sessions.history(sessionId, principalOf(ctx)) };
  });

  router.get('/session/:session_id', async (ctx) => {
    const sessionId = parseOrThrow(sessionIdSchema, ctx.params.session_id, 'session id');
    ctx.body = await sessions.session(sessionId, principalOf(ctx));
  });

  router.delete('/session/:session_id', async (ctx) => {
    const sessionId = parseOrThrow(sessionIdSchema, ctx.params.session_id, 'session id');
    const query = parseOrThrow(endSessionQuerySchema, ctx.query, 'end session query');
    ctx.body = await sessions.endSession(sessionId, principalOf(ctx), { finishRunning: query.finish_running });
  });

  return router;
}
