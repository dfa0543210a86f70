import { randomUUID } from 'node:crypto';
import { createToolActivities } from '../../activities/tool-activities';
import type { ToolInput } from '../../src/contract/activity-io';
import type { SessionEvent } from '../../src/contract/event-catalog';
import * as metrics from '../../src/metrics/metrics';
import { startMetricsServer } from '../../src/metrics/metrics-server';
import type { TurnObserver } from '../../src/metrics/turn-observer';
import type { SessionEventStream } from '../../src/store/session-event-stream';
import type { ToolResultCache } from '../../src/store/tool-result-cache';
import { calculatorTool } from '../../src/tools/calculator';
import { ToolRegistry } from '../../src/tools/registry';
import { counter, histogram } from '../helpers/metric-values';
import { activityTestEnv } from '../helpers/activity-test-env';

/**
 * Our recording code beyond the turn: the model label cap, the tool activity's outcome counts
 * and the worker's metrics server. The registry is this file's own (jest loads modules per file).
 */
const turnId = randomUUID();
const sessionId = randomUUID();
const message = (turn: string, model: string, content: string): SessionEvent => ({
  type: 'message',
  data: { turn_id: turn, step: 1, attempt: 1, model, content },
});

describe('model label cap', () => {
  // Fresh modules: the cap counts the names this process has seen.
  let fresh: { metrics: typeof metrics; TurnObserver: typeof TurnObserver };
  beforeEach(async () => {
    await jest.isolateModulesAsync(async () => {
      fresh = {
        metrics: await import('../../src/metrics/metrics'),
        TurnObserver: (await import('../../src/metrics/turn-observer')).TurnObserver,
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
  const events = { append: () => Promise.resolve([]) } as unknown as SessionEventStream;
  /** A cache that holds whatever was put (the Redis one, without Redis). */
  function memoryCache(): ToolResultCache {
    const entries = new Map<string, unknown>();
    return {
      get: (tool: string, args: unknown) => Promise.resolve(entries.get(`${tool}:${JSON.stringify(args)}`)),
      put: (tool: string, args: unknown, value: unknown) =>
        Promise.resolve(void entries.set(`${tool}:${JSON.stringify(args)}`, value)),
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
    const calculator = createToolActivities(new ToolRegistry([tool]), events, memoryCache())[tool.name];
    const env = activityTestEnv();
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
    const temporal = { address: 'temporal:7233', namespace: 'default', tls: 'mtls', api_key: 'unset' };
    const server = await startMetricsServer(0, '127.0.0.1', () => healthy, { temporal });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const response = await fetch(`${base}/metrics`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('# TYPE chat_turn_duration_seconds histogram');
      const health = await fetch(`${base}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', temporal });
      healthy = false;
      expect((await fetch(`${base}/health`)).status).toBe(503);
      expect((await fetch(`${base}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
