import path from 'node:path';
import type { Middleware } from 'koa';
import { StaticFiles } from '../web/static-files';
import { SAME_ORIGIN_PAGE_CSP } from '../security/same-origin-page-csp';

/**
 * /docs: Swagger UI from its npm package (swagger-ui-dist, served by us: no CDN) over
 * /openapi.json, with try-it-out and the Authorize (API key) dialog. Its init script is a file of
 * its own, so the page runs under a CSP without inline script.
 */
export const DOCS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API docs: durable chat agent</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<p><a href="/">Back to the chat page</a></p>
<main id="swagger-ui"></main>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs-init.js"></script>
</body>
</html>`;

const DOCS_INIT_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    tryItOutEnabled: true,
    persistAuthorization: false,
  });
});
`;

const SWAGGER_FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js']);

/** The files /docs loads: Swagger UI's bundle and stylesheet (from node_modules) and the init script. Public. */
export function docsAssets(): Middleware {
  const swagger = new StaticFiles(path.dirname(require.resolve('swagger-ui-dist/package.json')));
  const fileOf = (name: string) =>
    name === 'docs-init.js'
      ? { body: DOCS_INIT_SCRIPT, type: 'text/javascript; charset=utf-8' }
      : SWAGGER_FILES.has(name)
        ? swagger.get(name)
        : undefined;
  return async (ctx, next) => {
    const file =
      (ctx.method === 'GET' || ctx.method === 'HEAD') && ctx.path.startsWith('/docs/assets/')
        ? fileOf(ctx.path.slice('/docs/assets/'.length))
        : undefined;
    if (!file) {
      await next();
      return;
    }
    ctx.set('Content-Security-Policy', SAME_ORIGIN_PAGE_CSP);
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.type = file.type;
    ctx.body = file.body;
  };
}
