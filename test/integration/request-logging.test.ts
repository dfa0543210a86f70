import Redis from 'ioredis';
import { anyOf } from '../helpers/matchers';
import { startBareApp, type BareApp } from '../helpers/bare-app';

const KEY = 'sk-test-logging-0123456789abcdef';

/** Every request leaves one log line with its id, route template, status and duration; keys never do. */
describe('request ids and request logs', () => {
  const redis = new Redis({ lazyConnect: true }); // limits are off below: never used
  let app: BareApp;

  beforeAll(async () => {
    app = await startBareApp({ API_KEYS: `${KEY}:alice`, RATE_LIMIT_REQUESTS: '0', RATE_LIMIT_MESSAGES: '0' }, redis);
  });
  afterAll(async () => {
    await app?.close();
    redis.disconnect();
  });

  const requestLine = (requestId: string) => app.logs.find((l) => l.msg === 'request' && l.request_id === requestId);

  it('when the caller sends a sane X-Request-Id then it is echoed and logged with the route template', async () => {
    const res = await fetch(app.url('/api/chat/history/not-a-uuid'), {
      headers: { authorization: `Bearer ${KEY}`, 'x-request-id': 'trace-abc.123' },
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('x-request-id')).toBe('trace-abc.123');
    expect(requestLine('trace-abc.123')).toMatchObject({
      method: 'GET',
      route: '/api/chat/history/:session_id',
      status: 422,
      principal: 'alice',
      duration_ms: anyOf(Number),
    });
  });

  it.each([
    ['too long', 'x'.repeat(200)],
    ['with spaces and quotes', 'a b"c'],
    ['with a newline escape', 'abc%0d%0aSet-Cookie:x'],
  ])('when the X-Request-Id is %s then a fresh UUID replaces it', async (_name, offered) => {
    const res = await fetch(app.url('/api/nope'), { headers: { 'x-request-id': offered } });
    const id = res.headers.get('x-request-id') as string;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(requestLine(id)).toMatchObject({ route: '(unmatched)', status: 401 });
  });

  it('when requests carry right and wrong keys then no key appears in any log line', async () => {
    await fetch(app.url('/api/chat/history/not-a-uuid'), { headers: { authorization: `Bearer ${KEY}` } });
    await fetch(app.url('/api/chat/history/not-a-uuid'), { headers: { authorization: `Bearer ${KEY}-wrong` } });
    await fetch(app.url('/api/chat/message'), {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: `{"message": "${KEY}"`,
    });
    expect(app.logs.filter((l) => l.msg === 'request').length).toBeGreaterThanOrEqual(3);
    expect(app.rawLogs()).not.toContain(KEY);
    expect(app.rawLogs()).not.toMatch(/sk-test-logging/);
  });
});
