import { randomUUID } from 'node:crypto';
import { expectNoUnhandled, killHard, startApiProcess, startWorkerProcess } from '../helpers/process-stack';
import { useProcessHarness } from '../helpers/process-harness';
import { gate } from '../helpers/fake-openai-server';
import { postJson } from '../helpers/http';
import { createProxy } from '../helpers/toxiproxy-client';
import { waitUntil } from '../helpers/wait-for';
import type { TurnResult } from '../../src/contract/turn';

/**
 * Infrastructure faults are not the model's failures: a worker that dies mid-stream or a Redis
 * that fails after the model answered is retried without using up the model's attempts, without
 * moving down the chain, and — once the answer is complete — without calling the model again.
 */
jest.setTimeout(300_000);

const LONG_ANSWER = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
const harness = useProcessHarness();

describe('infrastructure faults during a model call (real processes)', () => {
  it('when the worker loses Redis after the model finished streaming then the model is called once and the answer arrives when Redis is back', async () => {
    const streamEnd = gate();
    const model = await harness.fakeModel(() => ({
      content: LONG_ANSWER,
      hold: { afterChunks: 3, until: streamEnd.until },
    }));
    const env = await harness.stack(model, { LLM_MAX_ATTEMPTS: '3', LLM_RETRY_INITIAL_MS: '100' });
    const redis = new URL(env.env.REDIS_URL);
    const proxy = await createProxy(`worker-redis-${randomUUID()}`, `${redis.hostname}:${redis.port || 6379}`);
    harness.onCleanup(() => proxy.delete());
    // Only the worker reaches Redis through the proxy: the API (and the test) keep theirs.
    const worker = harness.track(
      await startWorkerProcess({ ...env.env, REDIS_URL: `redis://127.0.0.1:${proxy.port}${redis.pathname}` }),
    );
    const { api, url } = await startApiProcess(env.env);
    harness.track(api);
    const sessionId = await harness.newSession(url);

    const reply = postJson<TurnResult>(`${url}/api/chat/message`, { message: 'tell me', session_id: sessionId });
    await harness.messagesStreamed(env.prefix, sessionId, 3);
    await proxy.setEnabled(false);
    streamEnd.release();
    await waitUntil(
      () => Promise.resolve(model.requests[0]?.finished),
      (finished) => finished === true,
      { timeoutMs: 30_000, intervalMs: 100, what: 'the model to finish its answer' },
    );
    // Longer than the old in-activity failure (ioredis gives up after 2 reconnects) and than a heartbeat timeout.
    await new Promise((r) => setTimeout(r, 8_000));
    await proxy.setEnabled(true);

    const { status, body } = await reply;
    expect(status).toBe(200);
    expect(body.response).toBe(LONG_ANSWER);
    expect(model.requests).toHaveLength(1);
    expect(body.models_tried).toEqual([expect.objectContaining({ model: 'fake-model', outcome: 'answered' })]);
    expect(await harness.archiveRows(env, body.turn_id)).toBe(1);
    expectNoUnhandled(worker, api);
  });

  it('when the worker is SIGKILLed mid-stream more times than LLM_MAX_ATTEMPTS then the model keeps its attempts and the turn completes', async () => {
    const KILLS = 3;
    // Every attempt but the last streams slowly (its worker dies in the middle); the last is quick.
    const model = await harness.fakeModel((_req, index) => ({
      content: LONG_ANSWER,
      chunkDelayMs: index < KILLS ? 500 : 0,
    }));
    const env = await harness.stack(model, {
      LLM_MAX_ATTEMPTS: '2',
      LLM_HEARTBEAT_TIMEOUT_SECONDS: '3',
      LLM_RETRY_INITIAL_MS: '100',
    });
    let worker = harness.track(await startWorkerProcess(env.env));
    const { api, url } = await startApiProcess(env.env);
    harness.track(api);
    const sessionId = await harness.newSession(url);

    const reply = postJson<TurnResult>(`${url}/api/chat/message`, { message: 'tell me', session_id: sessionId });
    for (let kill = 1; kill <= KILLS; kill++) {
      await waitUntil(
        () => Promise.resolve(model.requests[kill - 1]?.chunksSent ?? 0),
        (chunks) => chunks >= 2,
        { timeoutMs: 120_000, intervalMs: 100, what: `attempt ${kill} to stream` },
      );
      await killHard(worker);
      worker = harness.track(await startWorkerProcess(env.env));
    }

    const { status, body } = await reply;
    expect(status).toBe(200);
    expect(body.response).toBe(LONG_ANSWER);
    expect(body.models_tried).toEqual([expect.objectContaining({ model: 'fake-model', outcome: 'answered' })]);
    expect(model.requests).toHaveLength(KILLS + 1);
    expect(await harness.archiveRows(env, body.turn_id)).toBe(1);
    expectNoUnhandled(worker, api);
  });
});
