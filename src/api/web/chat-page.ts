import path from 'node:path';
import type { Context, Middleware } from 'koa';
import { ApiError } from '../../errors';
import { SAME_ORIGIN_PAGE_CSP } from '../security/same-origin-page-csp';
import { StaticFiles } from './static-files';

/** Where `web/` is built to (dev/web-build.ts). */
export const WEB_DIST_DIR = path.resolve(__dirname, '../../../web/dist');

/** The page's own URLs: the app shell for `/` and `/chat/{session_id}` (the client routes them). */
const SHELL_PATH = /^\/(?:chat\/[0-9a-fA-F-]{36}\/?)?$/;

function serve(ctx: Context, body: Buffer, type: string, cacheControl: string): void {
  ctx.set('Content-Security-Policy', SAME_ORIGIN_PAGE_CSP);
  ctx.set('Cache-Control', cacheControl);
  ctx.type = type;
  ctx.body = body;
}

export interface ChatPageOptions {
  /** Default web/dist. */
  distDir?: string;
  /** The Temporal Web UI's port on this host, for the page's link (a meta tag in the shell; no inline script). */
  temporalUiPort?: number;
}

/**
 * The chat page, same origin as the API: public (the page holds no data; its API calls carry the
 * key) and outside the rate limits. Anything else goes on to the API.
 */
export function chatPage(options: ChatPageOptions = {}): Middleware {
  const files = new StaticFiles(options.distDir ?? WEB_DIST_DIR);
  let shellBody: Buffer | undefined;
  const shellOf = (html: Buffer) =>
    (shellBody ??= Buffer.from(
      html
        .toString('utf8')
        .replace('</head>', `<meta name="temporal-ui-port" content="${options.temporalUiPort ?? 8233}" />\n  </head>`),
    ));
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      await next();
      return;
    }
    if (SHELL_PATH.test(ctx.path)) {
      const shell = files.get('index.html');
      if (!shell)
        throw new ApiError(
          503,
          'page_not_built',
          'The chat page is not built: `npm start` builds it, or run `npx vite build web`.',
        );
      // The shell names the current asset hashes: always revalidated.
      serve(ctx, shellOf(shell.body), shell.type, 'no-cache');
      return;
    }
    if (ctx.path.startsWith('/assets/') || ctx.path === '/favicon.svg') {
      const asset = files.get(ctx.path.slice(1));
      if (asset) {
        // Asset names carry their content hash: cacheable for good.
        serve(ctx, asset.body, asset.type, 'public, max-age=31536000, immutable');
        return;
      }
    }
    await next();
  };
}
