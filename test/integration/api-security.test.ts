import { buildOpenApiDocument } from '../../src/api/openapi/openapi-document';
import { errorResponseSchema, healthSchema, sessionCreatedSchema } from '../../src/api/openapi/response-schemas';
import { calculatorScript, startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server';
import { startTestStack, type TestStack } from '../helpers/test-stack';

const ALICE = 'sk-alice-0123456789abcdef0123';
const APP_ORIGIN = 'https://app.example.com';

/** A real stack with API keys and a CORS allowlist: who gets in, which headers go out, what is published. */
describe('API security on a real stack', () => {
  let model: FakeOpenAiServer;
  let stack: TestStack;

  beforeAll(async () => {
    model = await startFakeOpenAiServer(calculatorScript);
    stack = await startTestStack({
      llmBaseUrl: model.baseUrl,
      worker: false,
      env: { API_KEYS: `${ALICE}:alice`, CORS_ORIGINS: APP_ORIGIN },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
  });

  const post = (path: string, headers: Record<string, string> = {}) =>
    fetch(stack.url(path), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });

  describe('authentication', () => {
    it.each([
      ['no Authorization header', {}],
      ['a wrong key', { authorization: 'Bearer sk-wrong-0123456789abcdef0123' }],
      ['the key without Bearer', { authorization: ALICE }],
    ])('when a request to /api has %s then it answers 401 JSON', async (_name, headers) => {
      const res = await post('/api/chat/session', headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = errorResponseSchema.parse(await res.json());
      expect(body.error).toMatchObject({ status: 401, code: 'unauthorized' });
    });

    it('when every /api route is called without a key then each answers 401, even unknown ones', async () => {
      for (const [method, path] of [
        ['POST', '/api/chat/message'],
        ['GET', '/api/chat/history/00000000-0000-4000-8000-000000000000'],
        ['GET', '/api/chat/session/00000000-0000-4000-8000-000000000000'],
        ['GET', '/API/CHAT/HISTORY/x'],
        ['GET', '/api/unknown'],
      ]) {
        expect([method, path, (await fetch(stack.url(path), { method })).status]).toEqual([method, path, 401]);
      }
    });

    it('when the right key is sent then the session is created', async () => {
      const res = await post('/api/chat/session', { authorization: `Bearer ${ALICE}` });
      expect(res.status).toBe(201);
      sessionCreatedSchema.parse(await res.json());
    });

    it('when /health is called without a key then it answers and reports API keys in use', async () => {
      const res = await fetch(stack.url('/health'));
      expect(res.status).toBe(200);
      const body = healthSchema.parse(await res.json());
      expect(body.checks.auth).toEqual({ ok: true, mode: 'api_keys', principals: 1 });
      expect(JSON.stringify(body)).not.toContain(ALICE);
    });
  });

  describe('response headers', () => {
    it.each([
      ['a success', '/health', {}, 200],
      ['a 401', '/api/chat/history/x', {}, 401],
      ['a 422', '/api/chat/history/x', { authorization: `Bearer ${ALICE}` }, 422],
      ['a 404', '/api/nowhere', { authorization: `Bearer ${ALICE}` }, 404],
    ])('when the answer is %s then the security headers are set', async (_name, path, headers, status) => {
      const res = await fetch(stack.url(path), { headers });
      expect(res.status).toBe(status);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
      expect(res.headers.get('x-request-id')).toBeTruthy();
    });

    it('when an allowed origin calls then CORS headers name it, and a preflight allows Authorization', async () => {
      const simple = await fetch(stack.url('/health'), { headers: { origin: APP_ORIGIN } });
      expect(simple.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      const preflight = await fetch(stack.url('/api/chat/message'), {
        method: 'OPTIONS',
        headers: {
          origin: APP_ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    });

    it('when another origin calls then no CORS header lets it read the answer', async () => {
      for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.com', 'null']) {
        const res = await fetch(stack.url('/health'), { headers: { origin } });
        expect(res.headers.get('access-control-allow-origin')).toBeNull();
        const preflight = await fetch(stack.url('/api/chat/message'), {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
        expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      }
    });
  });

  describe('published descriptions', () => {
    it('when /openapi.json is fetched then it is the generated document', async () => {
      const res = await fetch(stack.url('/openapi.json'));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(buildOpenApiDocument({ maxMessageChars: stack.config.MESSAGE_MAX_CHARS }));
    });

    it('when /docs is fetched then it is Swagger UI over /openapi.json, loaded from this origin only, with no inline script', async () => {
      const res = await fetch(stack.url('/docs'));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await res.text();
      const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      expect(sources).toEqual([
        '/favicon.svg',
        '/docs/assets/swagger-ui.css',
        '/',
        '/docs/assets/swagger-ui-bundle.js',
        '/docs/assets/docs-init.js',
      ]);
      expect(html).not.toMatch(/<script>|<style/);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
      for (const asset of sources.filter((s) => s.startsWith('/docs/assets/'))) {
        const file = await fetch(stack.url(asset));
        expect(file.status).toBe(200);
      }
      expect(await (await fetch(stack.url('/docs/assets/docs-init.js'))).text()).toContain("url: '/openapi.json'");
      expect((await fetch(stack.url('/docs/assets/package.json'))).status).not.toBe(200);
    });

    it('when /metrics is scraped then it has HTTP series by route template and every chat metric', async () => {
      await fetch(stack.url('/api/chat/history/not-a-uuid'), { headers: { authorization: `Bearer ${ALICE}` } });
      const res = await fetch(stack.url('/metrics'));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(text).toMatch(
        /http_requests_total\{method="GET",route="\/api\/chat\/history\/:session_id",status="422"\} \d+/,
      );
      expect(text).toMatch(
        /http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/api\/chat\/history\/:session_id",status="422"\}/,
      );
      expect(text).not.toContain('not-a-uuid');
      for (const name of [
        'chat_turn_duration_seconds',
        'chat_time_to_first_token_seconds',
        'chat_model_calls_total',
        'chat_model_fallbacks_total',
        'chat_tool_calls_total',
        'chat_tokens_total',
        'chat_cost_usd_total',
        'chat_active_streams',
        'process_cpu_seconds_total',
        'nodejs_eventloop_lag_seconds',
      ]) {
        expect(text).toContain(`# TYPE ${name} `);
      }
    });
  });
});
