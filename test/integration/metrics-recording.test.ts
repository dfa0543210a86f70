import {
  calculatorScript,
  startFakeOpenAiServer,
  type FakeOpenAiServer,
  type FakeReply,
  type RecordedRequest,
} from '../helpers/fake-openai-server';
import { sampleValue, scrape, type Sample } from '../helpers/prometheus-text';
import { postJson, type ErrorBody } from '../helpers/http';
import { readSseEvents } from '../helpers/sse-client';
import { startTestStack, type TestStack } from '../helpers/test-stack';
import type { TurnResult } from '../../src/contract/turn';

const MODELS = JSON.stringify([
  { model: 'metrics-model-a', input_per_1m: 1, output_per_1m: 2 },
  { model: 'metrics-model-b', input_per_1m: 10, output_per_1m: 20 },
]);

/** Model A always fails with a 500; model B runs the calculator script (tool call, then answer). */
function aFailsBCalculates(request: RecordedRequest): FakeReply {
  if (request.body.model === 'metrics-model-a') return { status: 500, error: 'model A is down' };
  return calculatorScript(request);
}

/**
 * The chat metrics move when real turns run: a tool turn whose first model fails (fallback),
 * and a streamed turn. Counters are compared before and after, so other tests sharing the
 * process registry cannot disturb the deltas (the model names are this file's own).
 */
describe('chat metrics recorded by real turns (real Temporal, Redis, SQLite; scripted models)', () => {
  let model: FakeOpenAiServer;
  let stack: TestStack;

  beforeAll(async () => {
    model = await startFakeOpenAiServer(aFailsBCalculates);
    stack = await startTestStack({
      llmBaseUrl: model.baseUrl,
      env: { LLM_MODELS: MODELS, LLM_MAX_ATTEMPTS: '2', LLM_RETRY_INITIAL_MS: '50' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
  });

  const metrics = () => scrape(stack.url('/metrics'));
  const delta = (before: Sample[], after: Sample[], name: string, labels: Record<string, string> = {}) =>
    sampleValue(after, name, labels) - sampleValue(before, name, labels);

  it('when a tool turn falls back from a failing model then model calls, fallbacks, tool calls, tokens, cost and latencies are recorded', async () => {
    model.setScript(aFailsBCalculates);
    const before = await metrics();
    const reply = await postJson<TurnResult>(stack.url('/api/chat/message'), { message: 'Calculate 6 * 7' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      status: 'completed',
      model_used: 'metrics-model-b',
      tools_used: ['calculator'],
    });
    const after = await metrics();

    // Model A: two attempts (LLM_MAX_ATTEMPTS=2), both 500; model B: the tool step and the answer step.
    expect(delta(before, after, 'chat_model_calls_total', { model: 'metrics-model-a', outcome: 'server_error' })).toBe(
      2,
    );
    expect(delta(before, after, 'chat_model_calls_total', { model: 'metrics-model-b', outcome: 'ok' })).toBe(2);
    expect(delta(before, after, 'chat_model_calls_total', { model: 'metrics-model-a', outcome: 'ok' })).toBe(0);
    // Step 2 skips the model that already failed this turn, so there is one switch, not two.
    expect(
      delta(before, after, 'chat_model_fallbacks_total', {
        from_model: 'metrics-model-a',
        to_model: 'metrics-model-b',
      }),
    ).toBe(1);
    expect(delta(before, after, 'chat_tool_calls_total', { tool: 'calculator', outcome: 'ok' })).toBe(1);

    const calls = reply.body.model_calls;
    expect(calls).toHaveLength(2);
    const sum = (key: 'prompt_tokens' | 'completion_tokens' | 'cost') => calls.reduce((n, c) => n + c[key], 0);
    expect(delta(before, after, 'chat_tokens_total', { model: 'metrics-model-b', kind: 'prompt' })).toBe(
      reply.body.prompt_tokens,
    );
    expect(delta(before, after, 'chat_tokens_total', { model: 'metrics-model-b', kind: 'completion' })).toBe(
      reply.body.completion_tokens,
    );
    expect(sum('prompt_tokens') + sum('completion_tokens')).toBe(reply.body.tokens_used);
    expect(delta(before, after, 'chat_tokens_total', { model: 'metrics-model-a', kind: 'prompt' })).toBe(0);
    expect(delta(before, after, 'chat_cost_usd_total', { model: 'metrics-model-b' })).toBeCloseTo(sum('cost'), 9);
    expect(sum('cost')).toBeGreaterThan(0);

    // The waiting request saw the answer's first token and the final event.
    expect(delta(before, after, 'chat_time_to_first_token_seconds_count', { model: 'metrics-model-b' })).toBe(1);
    expect(delta(before, after, 'chat_turn_duration_seconds_count', { outcome: 'completed' })).toBe(1);
    expect(delta(before, after, 'chat_turn_duration_seconds_sum', { outcome: 'completed' })).toBeGreaterThan(0);
    expect(
      delta(before, after, 'http_requests_total', { method: 'POST', route: '/api/chat/message', status: '200' }),
    ).toBe(1);
  });

  it('when a turn fails on every model then its latency is recorded as failed and no tokens are counted', async () => {
    model.setScript(() => ({ status: 500, error: 'everything is down' }));
    const before = await metrics();
    const reply = await postJson<ErrorBody>(stack.url('/api/chat/message'), { message: 'hello', use_tools: false });
    expect(reply.status).toBe(502);
    const after = await metrics();
    expect(delta(before, after, 'chat_model_calls_total', { model: 'metrics-model-a', outcome: 'server_error' })).toBe(
      2,
    );
    expect(delta(before, after, 'chat_model_calls_total', { model: 'metrics-model-b', outcome: 'server_error' })).toBe(
      2,
    );
    expect(delta(before, after, 'chat_turn_duration_seconds_count', { outcome: 'failed' })).toBe(1);
    expect(delta(before, after, 'chat_turn_duration_seconds_count', { outcome: 'completed' })).toBe(0);
    expect(delta(before, after, 'chat_tokens_total', { model: 'metrics-model-b', kind: 'prompt' })).toBe(0);
    expect(
      delta(before, after, 'http_requests_total', { method: 'POST', route: '/api/chat/message', status: '502' }),
    ).toBe(1);
  });

  it('when a turn streams over SSE then the stream is counted as active while open and its latencies are recorded', async () => {
    model.setScript((request) =>
      request.body.model === 'metrics-model-a'
        ? { content: 'Streaming answer from model A.' }
        : { status: 500, error: 'unused' },
    );
    const before = await metrics();
    const response = await fetch(stack.url('/api/chat/message/stream'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hello', use_tools: false }),
    });
    expect(response.status).toBe(200);
    let openStreams: number | undefined;
    const events = (
      await readSseEvents(response, async (frame) => {
        if (frame.event === 'metadata') openStreams = sampleValue(await metrics(), 'chat_active_streams');
      })
    ).map((frame) => frame.event);
    expect(events[0]).toBe('metadata');
    expect(events).toContain('message');
    expect(events[events.length - 1]).toBe('done');
    expect(openStreams).toBe(sampleValue(before, 'chat_active_streams') + 1);

    // The server untracks the stream just after ending it: wait for the gauge to come back down.
    let after = await metrics();
    while (sampleValue(after, 'chat_active_streams') !== sampleValue(before, 'chat_active_streams')) {
      await new Promise((r) => setTimeout(r, 50));
      after = await metrics();
    }
    expect(delta(before, after, 'chat_model_calls_total', { model: 'metrics-model-a', outcome: 'ok' })).toBe(1);
    expect(
      delta(before, after, 'chat_model_fallbacks_total', {
        from_model: 'metrics-model-a',
        to_model: 'metrics-model-b',
      }),
    ).toBe(0);
    expect(delta(before, after, 'chat_time_to_first_token_seconds_count', { model: 'metrics-model-a' })).toBe(1);
    expect(delta(before, after, 'chat_turn_duration_seconds_count', { outcome: 'completed' })).toBe(1);
    expect(delta(before, after, 'chat_tool_calls_total', { tool: 'calculator', outcome: 'ok' })).toBe(0);
  });
});
