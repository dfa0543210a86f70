import Router from '@koa/router';
import { metricsRegistry } from '../../metrics/metrics';
import { DOCS_PAGE_HTML } from '../openapi/docs-page';
import { SAME_ORIGIN_PAGE_CSP } from '../security/same-origin-page-csp';
import type { OpenApiDocument } from '../openapi/openapi-document';
import { healthReport, type HealthDeps } from './health-report';

/** Public operational routes: dependency health, Prometheus metrics, the OpenAPI document and its docs page. */
export function operationsRoutes(health: HealthDeps, document: OpenApiDocument): Router {
  const router = new Router();
  const documentJson = JSON.stringify(document);

  router.get('/health', async (ctx) => {
    const report = await healthReport(health);
    ctx.status = report.status === 'ok' ? 200 : 503;
    ctx.body = report;
  });

  router.get('/metrics', async (ctx) => {
    ctx.type = metricsRegistry.contentType;
    ctx.body = await metricsRegistry.metrics();
  });

  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = documentJson;
  });

  router.get('/docs', (ctx) => {
    ctx.set('Content-Security-Policy', SAME_ORIGIN_PAGE_CSP);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = DOCS_PAGE_HTML;
  });

  return router;
}
