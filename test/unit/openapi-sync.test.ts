import Redis from 'ioredis';
import type Koa from 'koa';
import { createApiSecurity } from '../../src/api/security/api-security';
import { createApp } from '../../src/api/app';
import { buildOpenApiDocument, documentedRoutes, type OpenApiDocument } from '../../src/api/openapi/openapi-document';
import { DOCUMENTED_AHEAD } from '../../src/api/openapi/operations';
import { eventCatalog, TURN_ENDING_EVENTS } from '../../src/contract/event-catalog';
import { registeredRoutes } from '../../src/api/route-inventory';
import type { SessionService } from '../../src/api/sessions/session-service';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { operationOf, operationsOf, schemaOf } from '../helpers/openapi-views';

/**
 * The OpenAPI document and the routers describe the same API. The app is built for real (its
 * routers are what we compare); nothing here handles a request, so no server is needed.
 */
describe('OpenAPI document', () => {
  const config = loadConfig({});
  const redis = new Redis({ lazyConnect: true }); // never used: no request is served
  let app: Koa;
  let document: OpenApiDocument;

  beforeAll(() => {
    const logger = createLogger('silent');
    app = createApp({
      sessions: {} as SessionService,
      health: {} as never,
      logger,
      maxMessageChars: config.MESSAGE_MAX_CHARS,
      security: createApiSecurity(config, redis, logger),
      streaming: {} as never,
    });
    document = buildOpenApiDocument({ maxMessageChars: config.MESSAGE_MAX_CHARS });
  });
  afterAll(() => redis.disconnect());

  it('when the routers are listed then every registered route is documented', () => {
    const documented = new Set(documentedRoutes(document));
    const undocumented = registeredRoutes(app).filter((route) => !documented.has(route));
    expect(undocumented).toEqual([]);
  });

  it('when the document is listed then every operation is a registered route, or documented ahead and not yet registered', () => {
    const registered = new Set(registeredRoutes(app));
    const documented = documentedRoutes(document);
    const phantom = documented.filter((route) => !registered.has(route) && !DOCUMENTED_AHEAD.includes(route));
    expect(phantom).toEqual([]);
    // A documented-ahead entry that is registered by now, or no longer documented, is stale.
    expect(DOCUMENTED_AHEAD.filter((route) => registered.has(route) || !documented.includes(route))).toEqual([]);
  });

  it('when the routes registered today are listed then they include the core API', () => {
    expect(registeredRoutes(app)).toEqual(
      expect.arrayContaining([
        'POST /api/chat/session',
        'POST /api/chat/message',
        'GET /api/chat/history/{session_id}',
        'GET /api/chat/session/{session_id}',
        'GET /health',
        'GET /metrics',
        'GET /openapi.json',
        'GET /docs',
      ]),
    );
  });

  it('when a $ref appears anywhere then it names a component schema', () => {
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(10);
    for (const name of refs) expect(Object.keys(document.components.schemas)).toContain(name);
  });

  it('when the chat request schema is rendered then it carries the zod limits', () => {
    const request = schemaOf(document, 'ChatRequest');
    const properties = request.properties ?? {};
    expect(document.openapi).toBe('3.1.0');
    expect(request.required).toEqual(['message']);
    expect(request.additionalProperties).toBe(false);
    expect(properties.message.maxLength).toBe(config.MESSAGE_MAX_CHARS);
    expect(properties.temperature).toMatchObject({ minimum: 0, maximum: 2, default: 0.7 });
    expect(properties.max_tokens).toMatchObject({ minimum: 1, maximum: 4000, default: 1000 });
    expect(properties.session_id.format).toBe('uuid');
  });

  it('when an operation is under /api then it needs the API key; the operational routes do not', () => {
    for (const { path, op } of operationsOf(document)) {
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      expect([path, isPublic]).toEqual([path, !path.startsWith('/api/')]);
      if (!isPublic) expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '429']));
    }
    expect(document.security).toEqual([{ apiKey: [] }]);
  });

  it('when a stream operation lists its events then StreamEvent describes the data of each, and the terminal events are among them', () => {
    const described = (schemaOf(document, 'StreamEvent').oneOf ?? []).map((o) => o.properties?.event.const);
    expect(described.sort()).toEqual(Object.keys(eventCatalog).sort());
    const streams = operationsOf(document).flatMap(({ path, op }) =>
      Object.values(op.responses).flatMap((r) =>
        Object.entries(r.content ?? {}).map(([type, media]) => ({ path, type, media })),
      ),
    );
    const sse = streams.filter((s) => s.type === 'text/event-stream');
    expect(sse.map((s) => s.path).sort()).toEqual([
      '/api/chat/message/stream',
      '/api/chat/session/{session_id}/events',
    ]);
    for (const { media } of sse) {
      expect(media.schema).toEqual({ $ref: '#/components/schemas/StreamEvent' });
      for (const event of media['x-sse-events'] ?? []) expect(described).toContain(event);
      for (const event of TURN_ENDING_EVENTS) expect(media['x-sse-events']).toContain(event);
    }
  });

  it('when a turn result is documented then it has every field the workflow returns, including the fallback details', () => {
    const turn = schemaOf(document, 'TurnResult');
    expect(turn.properties?.status.enum).toEqual(['completed', 'failed', 'cancelled', 'rejected']);
    expect(Object.keys(turn.properties ?? {})).toEqual(
      expect.arrayContaining([
        'models_tried',
        'model_calls',
        'offline_fallback',
        'prompt_tokens',
        'completion_tokens',
        'steps',
        'error',
      ]),
    );
    // Nested uses of a component are references, not copies.
    const done = schemaOf(document, 'StreamEvent').oneOf?.find((o) => o.properties?.event.const === 'done');
    expect(done?.properties?.data).toEqual({ $ref: '#/components/schemas/TurnResult' });
  });

  it('when the events route is documented then its resume header and query parameters are', () => {
    const parameters = operationOf(document, 'GET', '/api/chat/session/{session_id}/events')?.parameters ?? [];
    expect(parameters.map((p) => `${p.in}:${p.name}`)).toEqual([
      'path:session_id',
      'header:Last-Event-ID',
      'query:last_event_id',
      'query:until',
      'query:turn_id',
    ]);
    expect(parameters.find((p) => p.name === 'until')?.schema.enum).toEqual(['done']);
  });
});
