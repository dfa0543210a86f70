import { sessionWorkflowId } from '../../src/contract/session-workflow';
import {
  startFakeOpenAiServer,
  type FakeOpenAiServer,
  type FakeReply,
  type RecordedRequest,
} from '../helpers/fake-openai-server';
import type { TurnResult } from '../../src/contract/turn';
import { postJson, type ErrorBody, type TurnDetails, type ValidationDetails } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/test-stack';
import { activityRuns, scheduledActivities } from '../helpers/workflow-history';

const MODELS = JSON.stringify([
  { model: 'model-a', input_per_1m: 1, output_per_1m: 2 },
  { model: 'model-b', input_per_1m: 10, output_per_1m: 20 },
  { model: 'no-tools-model', tools: false },
]);

/** Each model name gets its own behaviour; `calls` counts requests per model. */
function byModel(behaviour: Record<string, FakeReply>) {
  return (request: RecordedRequest): FakeReply =>
    behaviour[request.body.model] ?? { status: 500, error: `unexpected model ${request.body.model}` };
}

const requestsFor = (server: FakeOpenAiServer, model: string) => server.requests.filter((r) => r.body.model === model);

describe('model fallback chain (real Temporal, Redis, SQLite; scripted models)', () => {
  let model: FakeOpenAiServer;
  let stack: TestStack;
  let offlineStack: TestStack;

  beforeAll(async () => {
    model = await startFakeOpenAiServer([]);
    const env = { LLM_MODELS: MODELS, LLM_MAX_ATTEMPTS: '2', LLM_RETRY_INITIAL_MS: '50' };
    stack = await startTestStack({ llmBaseUrl: model.baseUrl, env });
    offlineStack = await startTestStack({ llmBaseUrl: model.baseUrl, env: { ...env, LLM_OFFLINE_FALLBACK: 'true' } });
  });
  afterAll(async () => {
    await stack?.stop();
    await offlineStack?.stop();
    await model?.close();
  });

  it('when model A answers 429 with Retry-After then it is retried after that delay, model B answers, and both are visible in the workflow history', async () => {
    model.setScript(
      byModel({
        'model-a': { status: 429, error: 'Rate limit exceeded', headers: { 'retry-after': '1' } },
        'model-b': { content: 'Answer from B.' },
      }),
    );
    const reply = await postJson<TurnResult>(stack.url('/api/chat/message'), { message: 'hi', use_tools: false });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ response: 'Answer from B.', model_used: 'model-b', offline_fallback: false });
    expect(reply.body.models_tried).toEqual([
      expect.objectContaining({ model: 'model-a', outcome: 'failed', error_type: 'ModelRateLimitedError' }),
      expect.objectContaining({ model: 'model-b', outcome: 'answered' }),
    ]);

    // Retried once (LLM_MAX_ATTEMPTS=2); the failed attempt asked Temporal to wait what Retry-After
    // said (1 s) instead of the 50 ms backoff: the history's retried start carries that failure.
    expect(requestsFor(model, 'model-a')).toHaveLength(2);
    const modelA = (await activityRuns(stack.client, reply.body.session_id)).filter(
      (a) => a.type === 'callModel' && a.summary?.startsWith('callModel model-a'),
    );
    expect(modelA).toHaveLength(1);
    expect(modelA[0]).toMatchObject({
      attempt: 2,
      lastFailure: { type: 'ModelRateLimitedError', nextRetryDelayMs: 1000 },
    });

    // Cost comes from model B's price table: 10 $/1M in, 20 $/1M out.
    const [call] = reply.body.model_calls;
    expect(call).toMatchObject({ model: 'model-b', usage_estimated: false });
    expect(reply.body.cost).toBeCloseTo((call.prompt_tokens * 10 + call.completion_tokens * 20) / 1e6, 9);

    const scheduled = (await scheduledActivities(stack.client, reply.body.session_id)).filter(
      (a) => a.type === 'callModel',
    );
    expect(scheduled.map((a) => a.summary)).toEqual([
      'callModel model-a (step 1)',
      'callModel model-b (step 1) after model-a → ModelRateLimitedError',
    ]);
    const history = await stack.client.workflow.getHandle(sessionWorkflowId(reply.body.session_id)).fetchHistory();
    const failed = (history.events ?? []).filter((e) => e.activityTaskFailedEventAttributes);
    expect(failed).toHaveLength(1);
    expect(
      failed[0].activityTaskFailedEventAttributes?.failure?.cause?.applicationFailureInfo?.type ??
        failed[0].activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type,
    ).toBe('ModelRateLimitedError');

    const row = (await stack.infra.history.listTurns(reply.body.session_id))[0];
    expect(row).toMatchObject({ model_used: 'model-b', tokens_used: reply.body.tokens_used, cost: reply.body.cost });
  });

  it('when model A answers 401 then the chain stops at once with a clear error', async () => {
    model.setScript(byModel({ 'model-a': { status: 401, error: 'Invalid API key' }, 'model-b': { content: 'never' } }));
    const reply = await postJson<ErrorBody>(stack.url('/api/chat/message'), { message: 'hi', use_tools: false });
    expect(reply.status).toBe(502);
    expect(reply.body.error.message).toMatch(/invalid API key/i);
    expect(reply.body.error.message).toMatch(/Stopped the model chain/);
    expect(requestsFor(model, 'model-a')).toHaveLength(1);
    expect(requestsFor(model, 'model-b')).toHaveLength(0);
  });

  it('when every model answers 500 then the turn fails clearly after retrying each', async () => {
    model.setScript(
      byModel({
        'model-a': { status: 500, error: 'boom A' },
        'model-b': { status: 503, error: 'boom B' },
        'no-tools-model': { status: 500, error: 'boom C' },
      }),
    );
    const reply = await postJson<ErrorBody<TurnDetails>>(stack.url('/api/chat/message'), {
      message: 'hi',
      use_tools: false,
    });
    expect(reply.status).toBe(502);
    expect(reply.body.error.message).toMatch(/All models failed.*model-a: ModelServerError.*model-b: ModelServerError/);
    expect(requestsFor(model, 'model-a')).toHaveLength(2);
    expect(requestsFor(model, 'model-b')).toHaveLength(2);
    const rows = await stack.infra.history.listTurns(reply.body.error.details?.session_id ?? '');
    expect(rows[0].extra_metadata.status).toBe('failed');
  });

  it('when every model fails and offline fallback is on then the offline model answers, flagged', async () => {
    model.setScript(
      byModel({ 'model-a': { status: 500 }, 'model-b': { status: 500 }, 'no-tools-model': { status: 500 } }),
    );
    const reply = await postJson<TurnResult>(offlineStack.url('/api/chat/message'), { message: 'Calculate 6 * 7' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      model_used: 'offline-rules',
      offline_fallback: true,
      tools_used: ['calculator'],
    });
    expect(reply.body.response).toContain('42');
    const rows = await offlineStack.infra.history.listTurns(reply.body.session_id);
    expect(rows[0].extra_metadata.offline_fallback).toBe(true);
  });

  it('when a model does not support tools then it is skipped while tools are needed', async () => {
    model.setScript(
      byModel({
        'model-a': { status: 404, error: 'No endpoints found that support tool use' },
        'model-b': { status: 500 },
        'no-tools-model': { content: 'plain answer' },
      }),
    );
    const withTools = await postJson<ErrorBody>(stack.url('/api/chat/message'), { message: 'hi' });
    expect(withTools.status).toBe(502);
    expect(withTools.body.error.message).toMatch(/model-a: ModelToolsUnsupportedError/);
    expect(withTools.body.error.message).toMatch(/no-tools-model: skipped_no_tools/);
    expect(requestsFor(model, 'model-a')).toHaveLength(1); // not retried
    expect(requestsFor(model, 'no-tools-model')).toHaveLength(0);

    const withoutTools = await postJson<TurnResult>(stack.url('/api/chat/message'), {
      message: 'hi',
      use_tools: false,
      model: 'no-tools-model',
    });
    expect(withoutTools.status).toBe(200);
    expect(withoutTools.body).toMatchObject({ response: 'plain answer', model_used: 'no-tools-model' });
  });

  it('when the requested model is not configured then it answers 422 naming the choices', async () => {
    const reply = await postJson<ErrorBody<ValidationDetails>>(stack.url('/api/chat/message'), {
      message: 'hi',
      model: 'gpt-unknown',
    });
    expect(reply.status).toBe(422);
    expect(reply.body.error.details?.[0].message).toContain('model-a');
  });
});
