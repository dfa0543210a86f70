import { createRedis } from '../../src/store/redis';
import { startBareApp } from '../helpers/bare-app';
import { calculatorScript, startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server';
import { freePort } from '../../dev/free-port';
import { startTestStack, type TestStack } from '../helpers/test-stack';

const ALICE = 'sk-alice-ratelimit-0123456789';
const BOB = 'sk-bob-ratelimit-0123456789ab';

/** Limits live in the real Redis, per principal (per IP for failed logins), stricter for sending messages. */
describe('rate limits', () => {
  let model: FakeOpenAiServer;
  let stack: TestStack;

  beforeAll(async () => {
    model = await startFakeOpenAiServer(calculatorScript);
    stack = await startTestStack({
      llmBaseUrl: model.baseUrl,
      worker: false,
      env: {
        API_KEYS: `${ALICE}:alice,${BOB}:bob`,
        RATE_LIMIT_REQUESTS: '6',
        RATE_LIMIT_MESSAGES: '2',
        RATE_LIMIT_WINDOW_SECONDS: '60',
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
  });

  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  // An invalid body: the limits count it, the session service never sees it.
  const sendMessage = (key: string) =>
    fetch(stack.url('/api/chat/message'), {
      method: 'POST',
      headers: { ...as(key), 'content-type': 'application/json' },
      body: '{"message": ""}',
    });
  const readHistory = (key: string) => fetch(stack.url('/api/chat/history/not-a-uuid'), { headers: as(key) });

  it('when a principal sends more messages than RATE_LIMIT_MESSAGES then it gets 429 with Retry-After, while other requests still pass', async () => {
    expect((await sendMessage(ALICE)).status).toBe(422);
    expect((await sendMessage(ALICE)).status).toBe(422);
    const limited = await sendMessage(ALICE);
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await limited.json()).toMatchObject({
      error: { status: 429, code: 'rate_limited', details: { limit: 'messages', retry_after_seconds: retryAfter } },
    });
    expect((await readHistory(ALICE)).status).toBe(422);
  });

  it('when a principal exceeds RATE_LIMIT_REQUESTS then every /api request gets 429, and another principal is unaffected', async () => {
    // alice has used 4 of 6 requests above (the refused message counts too).
    expect((await readHistory(ALICE)).status).toBe(422);
    expect((await readHistory(ALICE)).status).toBe(422);
    expect((await readHistory(ALICE)).status).toBe(429);
    expect((await fetch(stack.url('/api/chat/session'), { method: 'POST', headers: as(ALICE) })).status).toBe(429);
    expect((await readHistory(BOB)).status).toBe(422);
    expect((await fetch(stack.url('/health'))).status).toBe(200);
    expect(await stack.infra.redis.keys(`${stack.config.REDIS_KEY_PREFIX}ratelimit:*`)).toEqual(
      expect.arrayContaining([`${stack.config.REDIS_KEY_PREFIX}ratelimit:requests:principal:alice`]),
    );
  });

  it('when someone guesses keys then the failures are limited per IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await readHistory(`sk-guess-${i}-0123456789abcdef`)).status);
    expect(statuses.slice(0, 6)).toEqual(Array(6).fill(401));
    expect(statuses.slice(6)).toEqual([429, 429]);
  });

  it('when Redis is unreachable then requests pass and a warning is logged', async () => {
    const deadRedis = createRedis(`redis://127.0.0.1:${await freePort()}`, 'dead');
    deadRedis.on('error', () => undefined);
    const app = await startBareApp(
      { API_KEYS: `${ALICE}:alice`, RATE_LIMIT_REQUESTS: '1', RATE_LIMIT_MESSAGES: '1' },
      deadRedis,
    );
    try {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(app.url('/api/chat/history/not-a-uuid'), { headers: as(ALICE) });
        expect(res.status).toBe(422);
      }
      expect(app.logs.filter((l) => l.msg?.toString().startsWith('rate limiter unavailable'))).toHaveLength(1);
    } finally {
      await app.close();
      deadRedis.disconnect();
    }
  });
});
