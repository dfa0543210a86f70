import path from 'node:path';
import { expectNoUnhandled, killHard, startApiProcess, startWorkerProcess } from '../helpers/process-stack';
import { SIDE_EFFECT_TOOL, sideEffectCounterKey } from '../helpers/side-effect-tool';
import { openSse } from '../helpers/live-sse-client';
import { useProcessHarness } from '../helpers/process-harness';
import { getJson, postJson, type History } from '../helpers/http';
import { dataOf } from '../helpers/sse-client';
import type { TurnResult } from '../../src/contract/turn';
import { turnIdOf } from '../../src/contract/event-catalog';
import { waitUntil } from '../helpers/wait-for';

/**
 * Crash safety with real processes: the worker is SIGKILLed mid-turn (during a slow model
 * call, during a non-idempotent tool call), the API is SIGKILLed with a stream open (the
 * Temporal dev server's restart: dev-server-restart.test.ts). Each time the turn completes exactly
 * once: one archive row, the client gets its answer, no side effect runs twice.
 */
jest.setTimeout(240_000);

const SIDE_EFFECT_MODULE = path.resolve(__dirname, '../helpers/side-effect-tool.ts');
const LONG_ANSWER = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');

const harness = useProcessHarness();
const { stack, fakeModel, track, sessionEvents, archiveRows, newSession, messagesStreamed } = harness;

describe('crash safety (real processes)', () => {
  it('when the worker is SIGKILLed during a slow model call then a new worker retries it and the turn completes once', async () => {
    // The first attempt streams slowly (the worker dies in the middle); the retry is quick.
    const model = await fakeModel((_req, index) => ({ content: LONG_ANSWER, chunkDelayMs: index === 0 ? 400 : 0 }));
    const env = await stack(model);
    const worker1 = track(await startWorkerProcess(env.env));
    const { api, url } = await startApiProcess(env.env);
    track(api);
    const sessionId = await newSession(url);

    const reply = postJson<TurnResult>(`${url}/api/chat/message`, {
      message: 'tell me a long story',
      session_id: sessionId,
    });
    await messagesStreamed(env.prefix, sessionId, 3);
    await killHard(worker1);
    const worker2 = track(await startWorkerProcess(env.env));

    const { status, body } = await reply;
    expect(status).toBe(200);
    expect(body.response).toBe(LONG_ANSWER);
    expect(await archiveRows(env, body.turn_id)).toBe(1);
    const events = (await sessionEvents(env.prefix, sessionId)).filter((e) => turnIdOf(e) === body.turn_id);
    expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
    // The retry told clients to drop the partial text, then streamed the answer whole.
    const reset = events.findIndex((e) => e.type === 'reset');
    expect(reset).toBeGreaterThan(0);
    expect(dataOf(events[reset], 'reset').attempt).toBeGreaterThanOrEqual(2);
    expect(
      events
        .slice(reset)
        .filter((e) => e.type === 'message')
        .map((e) => dataOf(e, 'message').content)
        .join(''),
    ).toBe(LONG_ANSWER);
    expect(model.requests).toHaveLength(2);
    expectNoUnhandled(worker2, api);
  });

  it('when the worker is SIGKILLed during a non-idempotent tool call then the side effect is not run again and the turn completes once', async () => {
    const label = 'crash-during-tool';
    const model = await fakeModel((req) => {
      const last = req.body.messages[req.body.messages.length - 1];
      if (last.role === 'tool') return { content: `Tool said: ${last.content}` };
      return { tool_calls: [{ name: SIDE_EFFECT_TOOL, arguments: JSON.stringify({ label, hold_ms: 60_000 }) }] };
    });
    const env = await stack(model, { TOOL_MODULES: SIDE_EFFECT_MODULE });
    const counter = sideEffectCounterKey(env.prefix, label);
    const worker1 = track(await startWorkerProcess(env.env));
    const { api, url } = await startApiProcess(env.env);
    track(api);
    const sessionId = await newSession(url);

    const reply = postJson<TurnResult>(`${url}/api/chat/message`, {
      message: 'pay the invoice',
      session_id: sessionId,
    });
    // The side effect happened; the tool is still holding when its worker dies.
    await waitUntil(
      () => harness.redis().get(counter),
      (runs) => runs === '1',
      { timeoutMs: 120_000, intervalMs: 250, what: `the side effect's run counter ${counter} to be 1` },
    );
    await killHard(worker1);
    const worker2 = track(await startWorkerProcess(env.env));

    const { status, body } = await reply;
    expect(status).toBe(200);
    expect(await harness.redis().get(counter)).toBe('1');
    expect(await archiveRows(env, body.turn_id)).toBe(1);
    expect(body.tools_used).toEqual([SIDE_EFFECT_TOOL]);
    // The retried attempt told the model the outcome is unknown instead of paying twice.
    expect(body.response).toMatch(/not run again/);
    const events = (await sessionEvents(env.prefix, sessionId)).filter((e) => turnIdOf(e) === body.turn_id);
    const toolResults = events.filter((e) => e.type === 'tool_result');
    expect(toolResults).toHaveLength(1);
    expect(toolResults[0].data).toMatchObject({ name: SIDE_EFFECT_TOOL, ok: false, replayed: true });
    expect(dataOf(toolResults[0], 'tool_result').attempt).toBeGreaterThanOrEqual(2);
    expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
    expectNoUnhandled(worker2, api);
  });

  it('when the API is SIGKILLed while a stream is open then the client resumes with Last-Event-ID on another API and misses nothing', async () => {
    const model = await fakeModel(() => ({ content: LONG_ANSWER, chunkDelayMs: 250 }));
    const env = await stack(model);
    const worker = track(await startWorkerProcess(env.env));
    const first = await startApiProcess(env.env);
    track(first.api);
    const sessionId = await newSession(first.url);

    const stream = await openSse(`${first.url}/api/chat/message/stream`, {
      method: 'POST',
      body: { message: 'stream a story', session_id: sessionId },
    });
    expect(stream.status).toBe(200);
    const metadata = await stream.waitFor((e) => e.event === 'metadata');
    const turnId = dataOf(metadata, 'metadata').turn_id;
    await stream.waitFor(
      (e) => e.event === 'message' && stream.events.filter((m) => m.event === 'message').length >= 3,
    );
    await killHard(first.api);
    await stream.ended;
    const before = stream.events.filter((e) => e.event === 'message');
    const lastId = stream.lastId();
    expect(lastId).toBeDefined();
    expect(stream.events.some((e) => e.event === 'done')).toBe(false);

    const second = await startApiProcess(env.env);
    track(second.api);
    const resumed = await openSse(`${second.url}/api/chat/session/${sessionId}/events?until=done`, {
      headers: { 'last-event-id': lastId as string },
    });
    expect(resumed.status).toBe(200);
    await resumed.ended;
    const after = resumed.events.filter((e) => e.event === 'message' && dataOf(e, 'message').turn_id === turnId);
    // Gap-free and no duplicates: the two halves are the whole answer.
    expect([...before, ...after].map((e) => dataOf(e, 'message').content).join('')).toBe(LONG_ANSWER);
    expect(resumed.events.filter((e) => e.event === 'done' && dataOf(e, 'done').turn_id === turnId)).toHaveLength(1);

    const history = (await getJson<History>(`${second.url}/api/chat/history/${sessionId}`)).body;
    expect(JSON.stringify(history.messages)).toContain(LONG_ANSWER);
    expect(await archiveRows(env, turnId)).toBe(1);
    expectNoUnhandled(worker, second.api);
  });
});
