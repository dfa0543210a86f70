import { ensureRedis, type EnsuredRedis } from '../../dev/redis-launcher';
import { freePort } from '../../dev/free-port';
import type { SessionSnapshot } from '../../src/contract/session';
import type { TurnResult } from '../../src/contract/turn';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server';
import { getJson, postJson, type ErrorBody, type JsonResponse } from '../helpers/http';
import { slowOrEcho } from '../helpers/slow-or-echo-script';
import { startTestStack, type TestStack } from '../helpers/test-stack';

/** A Redis of this file's own (no persistence), so stopping it leaves the shared one alone. */
let redisUrl: string;
let redis: EnsuredRedis | undefined;
let model: FakeOpenAiServer;
let stack: TestStack;
let sessionId: string;

function expectUnavailable(res: JsonResponse<ErrorBody<{ dependency: string }>>): void {
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(res.body.error.code).toBe('dependency_unavailable');
  expect(res.body.error.details?.dependency).toBe('redis');
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.ts:\d+/);
}

beforeAll(async () => {
  redisUrl = `redis://127.0.0.1:${await freePort()}`;
  redis = await ensureRedis(redisUrl, true, () => undefined);
  model = await startFakeOpenAiServer(slowOrEcho);
  stack = await startTestStack({ llmBaseUrl: model.baseUrl, env: { REDIS_URL: redisUrl } });
  const first = await postJson<TurnResult>(stack.url('/api/chat/message'), { message: 'hello' });
  expect(first.status).toBe(200);
  sessionId = first.body.session_id;
});

afterAll(async () => {
  await stack?.stop();
  await model?.close();
  await redis?.stop();
});

describe('Redis outage at the API', () => {
  it('when Redis is down then a message answers 503 dependency_unavailable with Retry-After', async () => {
    await redis?.stop();
    redis = undefined;
    const res = await postJson<ErrorBody<{ dependency: string }>>(stack.url('/api/chat/message'), {
      session_id: sessionId,
      message: 'are you there?',
    });
    expectUnavailable(res);
  });

  it('when Redis is down then a session read answers 503 dependency_unavailable with Retry-After', async () => {
    const res = await getJson<ErrorBody<{ dependency: string }>>(stack.url(`/api/chat/session/${sessionId}`));
    expectUnavailable(res);
  });

  it('when Redis is back (empty) then the session answers reads and messages again', async () => {
    redis = await ensureRedis(redisUrl, true, () => undefined);
    const read = await getJson<SessionSnapshot>(stack.url(`/api/chat/session/${sessionId}`));
    expect(read.status).toBe(200);
    expect(read.body.turns).toBe(1);
    const next = await postJson<TurnResult>(stack.url('/api/chat/message'), { session_id: sessionId, message: 'back' });
    expect(next.status).toBe(200);
    expect(next.body.response).toBe('Echo: back');
  });
});
