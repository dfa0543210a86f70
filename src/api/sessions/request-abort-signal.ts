import type { IncomingMessage, ServerResponse } from 'node:http';

/** Fires only when the client goes away before we answered; the turn itself goes on. */
export function requestAbortSignal(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  req.once('error', () => controller.abort());
  return controller.signal;
}
