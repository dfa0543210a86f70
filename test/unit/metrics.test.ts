import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import OpenAI from 'openai';
import type { ToolInput } from '../../src/contract/activity-io';
import type { SessionEvent } from '../../src/contract/event-catalog';
import { MODEL_FAILURE_TYPES } from '../../src/contract/model-failure';
import type { TurnResult } from '../../src/contract/turn';
import { createToolActivities } from '../../activities/tool-activities';
import { classifyModelError } from '../../src/llm/model-error';
import * as metrics from '../../src/metrics/metrics';
import { startMetricsServer } from '../../src/metrics/metrics-server';
import { modelCallOutcome } from '../../src/metrics/model-call-outcome';
import { TurnObserver } from '../../src/metrics/turn-observer';
import type { SessionEventStream } from '../../src/store/session-event-stream';
import type { ToolResultCache } from '../../src/store/tool-result-cache';
import { calculatorTool } from '../../src/tools/calculator';

/**
 * Our recording code, not prom-client: the outcome labels we derive, what TurnObserver records
 * from catalog events, the label cap, and the tool activity's outcome counts. The registry is
 * this file's own (jest loads modules per file); each test compares before and after, under
 * labels of its own.
 */
afterEach(() => jest.restoreAllMocks());

/** Sets what Date.now() answers (TurnObserver measures from the acceptance time with it). */
const clockAt = (ms: number) => jest.spyOn(Date, 'now').mockReturnValue(ms);

/** count and sum of a histogram series with exactly these labels. */
async function histogram(
  metric: { get(): Promise<{ values: Array<{ labels: object; value: number; metricName?: string }> }> },
  name: string,
  labels: Record<string, string>,
) {
  const { values } = await metric.get();
  const of = (suffix: string) =>
    values
      .filter((v) => v.metricName === `${name}_${suffix}` && JSON.stringify(v.labels) === JSON.stringify(labels))
      .reduce((n, v) => n + v.value, 0);
  return { count: of('count'), sum: of('sum') };
}

async function counter(
  metric: { get(): Promise<{ values: Array<{ labels: object; value: number }> }> },
  labels: Record<string, string>,
): Promise<number> {
  const { values } = await metric.get();
  return values.find((v) => JSON.stringify(v.labels) === JSON.stringify(labels))?.value ?? 0;
}

const turnId = randomUUID();
const sessionId = randomUUID();
const message = (turn: string, model: string, content: string): SessionEvent => ({
  type: 'message',
  data: { turn_id: turn, step: 1, attempt: 1, model, content },
});
const result = (status: TurnResult['status']): TurnResult => ({
  session_id: sessionId,
  turn_id: turnId,
  status,
  response: '',
  tools_used: [],
  model_used: 'm',
  tokens_used: 0,
  prompt_tokens: 0,
  completion_tokens: 0,
  cost: 0,
  steps: 1,
  models_tried: [],
  model_calls: [],
  offline_fallback: false,
  created_at: new Date().toISOString(),
});

describe('model call outcome labels', () => {
  it('when a call fails with each model failure type then the outcome label is its short name', () => {
    const labels = Object.fromEntries(
      Object.entries(MODEL_FAILURE_TYPES).map(([key, type]) => [
        key,
        modelCallOutcome(ApplicationFailure.create({ type, message: 'x' })),
      ]),
    );
    expect(labels).toEqual({
      auth: 'auth_error',
      badRequest: 'bad_request',
      toolsUnsupported: 'tools_unsupported',
      unknownModel: 'not_configured',
      rateLimited: 'rate_limited',
      server: 'server_error',
      unavailable: 'unavailable',
    });
  });

  it('when a failure has an unknown type or none then the outcome label is error', () => {
    expect(modelCallOutcome(ApplicationFailure.create({ type: 'SomethingElse', message: 'x' }))).toBe('error');
    expect(modelCallOutcome(new Error('plain'))).toBe('error');
    expect(modelCallOutcome(undefined)).toBe('error');
  });

  it('when providers answer 429, 401 and 503 then the classified failures are labelled rate_limited, auth_error and server_error', () => {
    const label = (status: number) =>
      modelCallOutcome(
        classifyModelError(OpenAI.APIError.generate(status, { error: { message: 'no' } }, 'no', new Headers()), 'm'),
      );
    expect([label(429), label(401), label(503)]).toEqual(['rate_limited', 'auth_error', 'server_error']);
  });
});

describe('TurnObserver', () => {
  const ttft = (model: string) =>
    histogram(metrics.timeToFirstTokenSeconds, 'chat_time_to_first_token_seconds', { model });
  const duration = (outcome: string) =>
    histogram(metrics.turnDurationSeconds, 'chat_turn_duration_seconds', { outcome });
  const minus = (a: { count: number; sum: number }, b: { count: number; sum: number }) => ({
    count: a.count - b.count,
    sum: a.sum - b.sum,
  });

  it('when the first message of the turn arrives then time to first token is recorded once, from acceptance, under the model label', async () => {
    clockAt(1_000_000);
    const seen = new TurnObserver(turnId, 1_000_000 - 1500);
    seen.see(message(turnId, 'model-ttft', 'one '));
    clockAt(1_000_000 + 5000);
    seen.see(message(turnId, 'model-ttft', 'two'));
    expect(await ttft('model-ttft')).toEqual({ count: 1, sum: 1.5 });
  });

  it('when the turn ends then its duration is recorded under its status, and later events are ignored', async () => {
    const before = { cancelled: await duration('cancelled'), completed: await duration('completed') };
    clockAt(2_000_000);
    const seen = new TurnObserver(turnId, 2_000_000 - 4250);
    seen.see({ type: 'cancelled', data: result('cancelled') });
    seen.see({ type: 'done', data: result('completed') });
    seen.see(message(turnId, 'model-late', 'late'));
    expect(minus(await duration('cancelled'), before.cancelled)).toEqual({ count: 1, sum: 4.25 });
    expect(minus(await duration('completed'), before.completed)).toEqual({ count: 0, sum: 0 });
    expect(await ttft('model-late')).toEqual({ count: 0, sum: 0 });
  });

  it('when a turn is refused or fails then the duration is recorded as rejected or failed', async () => {
    const before = { rejected: await duration('rejected'), failed: await duration('failed') };
    new TurnObserver(turnId, Date.now()).see({
      type: 'error',
      data: { turn_id: turnId, status: 'rejected', code: 'session_busy', message: 'busy' },
    });
    new TurnObserver(turnId, Date.now()).see({
      type: 'error',
      data: { ...result('failed'), error: 'all models failed' },
    });
    expect((await duration('rejected')).count - before.rejected.count).toBe(1);
    expect((await duration('failed')).count - before.failed.count).toBe(1);
  });

  it('when events of another turn arrive then nothing is recorded until its own do', async () => {
    const before = await duration('completed');
    const seen = new TurnObserver(turnId, Date.now());
    const other = randomUUID();
    seen.see(message(other, 'model-other-turn', 'not mine'));
    seen.see({ type: 'done', data: { ...result('completed'), turn_id: other } });
    expect(await ttft('model-other-turn')).toEqual({ count: 0, sum: 0 });
    expect((await duration('completed')).count).toBe(before.count);
    seen.see(message(turnId, 'model-other-turn', 'mine'));
    seen.see({ type: 'done', data: result('completed') });
    expect((await ttft('model-other-turn')).count).toBe(1);
    expect((await duration('completed')).count).toBe(before.count + 1);
  });
});

describe('model label cap', () => {
  // Fresh modules: the cap counts the names this process has seen.
  let fresh: { metrics: typeof import('../../src/metrics/metrics'); TurnObserver: typeof TurnObserver };
  beforeEach(() => {
    jest.isolateModules(() => {
      fresh = {
        metrics: require('../../src/metrics/metrics'),
        TurnObserver: require('../../src/metrics/turn-observer').TurnObserver,
      };
    });
  });

  it('when clients name more than 50 models then later names are labelled other', () => {
    const labels = Array.from({ length: 60 }, (_, i) => fresh.metrics.modelLabel(`model-${i}`));
    expect(new Set(labels).size).toBe(51);
    expect(labels.slice(50)).toEqual(Array(10).fill('other'));
    expect(fresh.metrics.modelLabel('model-3')).toBe('model-3');
  });

  it('when the 51st model sends its first token then TurnObserver records it under other', async () => {
    for (let i = 0; i < 50; i++) fresh.metrics.modelLabel(`model-${i}`);
    new fresh.TurnObserver(turnId, Date.now()).see(message(turnId, 'model-new', 'hi'));
    const ttft = (model: string) =>
      histogram(fresh.metrics.timeToFirstTokenSeconds, 'chat_time_to_first_token_seconds', { model });
    expect((await ttft('other')).count).toBe(1);
    expect((await ttft('model-new')).count).toBe(0);
  });
});

describe('tool call outcomes recorded by the tool activity', () => {
  const events = { append: async () => [] } as unknown as SessionEventStream;
  /** A cache that holds whatever was put (the Redis one, without Redis). */
  function memoryCache(): ToolResultCache {
    const entries = new Map<string, unknown>();
    return {
      get: async (tool: string, args: unknown) => entries.get(`${tool}:${JSON.stringify(args)}`),
      put: async (tool: string, args: unknown, value: unknown) =>
        void entries.set(`${tool}:${JSON.stringify(args)}`, value),
    } as unknown as ToolResultCache;
  }
  const input = (args: string): ToolInput => ({
    session_id: sessionId,
    turn_id: turnId,
    call_id: randomUUID(),
    arguments: args,
  });

  it('when the calculator runs, is served from the cache, and gets bad arguments then ok, cached and invalid_arguments are counted once each', async () => {
    // The calculator under a name of this test's own, cacheable.
    const tool = { ...calculatorTool, name: 'calculator-metrics-unit', cacheable: true };
    const calculator = createToolActivities([tool], events, memoryCache())[tool.name];
    const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('WARN') });
    const first = await env.run(calculator, input('{"expression":"6*7"}'));
    const second = await env.run(calculator, input('{"expression":"6*7"}'));
    await env.run(calculator, input('{"expression": 42}'));
    expect([first, second]).toEqual([
      expect.not.objectContaining({ cached: true }),
      expect.objectContaining({ cached: true }),
    ]);
    const count = (o: string) => counter(metrics.toolCallsTotal, { tool: tool.name, outcome: o });
    expect({
      ok: await count('ok'),
      cached: await count('cached'),
      invalid_arguments: await count('invalid_arguments'),
      error: await count('error'),
    }).toEqual({
      ok: 1,
      cached: 1,
      invalid_arguments: 1,
      error: 0,
    });
  });
});

describe('worker metrics server', () => {
  it('when the worker metrics server runs then it serves /metrics and a /health that follows the worker state', async () => {
    let healthy = true;
    const server = await startMetricsServer(0, '127.0.0.1', () => healthy);
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const response = await fetch(`${base}/metrics`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('# TYPE chat_turn_duration_seconds histogram');
      expect((await fetch(`${base}/health`)).status).toBe(200);
      healthy = false;
      expect((await fetch(`${base}/health`)).status).toBe(503);
      expect((await fetch(`${base}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
