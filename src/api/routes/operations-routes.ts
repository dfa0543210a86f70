import Router from '@koa/router';
import { metricsRegistry } from '../../metrics/metrics';
import { DOCS_CONTENT_SECURITY_POLICY, renderDocsPage } from '../openapi/docs-page';
import type { OpenApiDocument } from '../openapi/openapi-document';

/** Public operational routes besides /health: Prometheus metrics, the OpenAPI document, the docs page. */
export function operationsRoutes(document: OpenApiDocument): Router {
  const router = new Router();
  const documentJson = JSON.stringify(document);
  const docsHtml = renderDocsPage(document);

  router.get('/metrics', async (ctx) => {
    ctx.type = metricsRegistry.contentType;
    ctx.body = await metricsRegistry.metrics();
  });

  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = documentJson;
  });

  router.get('/docs', (ctx) => {
    ctx.set('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = docsHtml;
  });

  return router;
}
