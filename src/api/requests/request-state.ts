import type { Logger } from '../../logger';

/** What the API's middleware puts on `ctx.state` for later middleware and routes. */
declare module 'koa' {
  interface DefaultState {
    /** Set by request-context: echoed in `X-Request-Id` and on every log line of the request. */
    requestId?: string;
    /** Child logger carrying the request id. */
    logger?: Logger;
    /** Who is calling: the API key's principal, or `anonymous` when the API runs open. Set on /api routes. */
    principal?: string;
  }
}

export {};
