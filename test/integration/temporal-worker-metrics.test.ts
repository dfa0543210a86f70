import { createLogger } from '../../src/logger';
import { installTemporalRuntime } from '../../src/temporal/runtime';
import { calculatorScript, startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server';
import { parsePrometheusText, sampleValue, scrape, type Sample } from '../helpers/prometheus-text';
import type { TurnResult } from '../../src/contract/turn';
import { postJson } from '../helpers/http';
import { startTestStack, type TestStack } from '../helpers/test-stack';

/**
 * The Temporal worker's own metrics reach the same /metrics as the chat metrics: the runtime
 * is installed as `npm start` installs it (buffered Core metrics forwarded into prom-client).
 */
describe('Temporal worker metrics on /metrics (real Temporal, Redis, SQLite; scripted model)', () => {
  let model: FakeOpenAiServer;
  let stack: TestStack;

  beforeAll(async () => {
    const logger = createLogger('silent');
    installTemporalRuntime(logger); // this test file's own module registry: before any worker exists
    model = await startFakeOpenAiServer(calculatorScript);
    stack = await startTestStack({ llmBaseUrl: model.baseUrl, logger });
  });
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
  });

  const taskQueueSeries = (samples: Sample[], name: string) =>
    samples.filter((s) => s.name === name && s.labels.task_queue === stack.config.TEMPORAL_TASK_QUEUE);
  const sum = (samples: Sample[]) => samples.reduce((n, s) => n + s.value, 0);

  it('when a tool turn runs then activity executions and workflow task latencies of this task queue are counted on /metrics', async () => {
    const reply = await postJson<TurnResult>(stack.url('/api/chat/message'), { message: 'Calculate 7 * 6' });
    expect(reply.status).toBe(200);
    expect(reply.body.tools_used).toEqual(['calculator']);

    // Two model calls and one tool call: three activity executions (the turn ends in a local activity).
    let samples = await scrape(stack.url('/metrics'));
    while (sum(taskQueueSeries(samples, 'temporal_activity_execution_latency_count')) < 3) {
      await new Promise((r) => setTimeout(r, 200));
      samples = await scrape(stack.url('/metrics'));
    }
    const byType = Object.fromEntries(
      taskQueueSeries(samples, 'temporal_activity_execution_latency_count').map((s) => [
        s.labels.activity_type,
        s.value,
      ]),
    );
    expect(byType).toMatchObject({ callModel: 2, calculator: 1 });
    expect(sum(taskQueueSeries(samples, 'temporal_workflow_task_execution_latency_count'))).toBeGreaterThan(0);
    expect(sampleValue(samples, 'temporal_sdk_metric_updates_forwarded_total')).toBeGreaterThan(0);
    // Chat metrics and worker metrics share the one registry.
    expect(samples.some((s) => s.name === 'chat_model_calls_total')).toBe(true);
  });

  it('when /metrics is read then the forwarded metrics are valid Prometheus text with help and type lines', async () => {
    const text = await (await fetch(stack.url('/metrics'))).text();
    expect(text).toMatch(/^# TYPE temporal_activity_execution_latency histogram$/m);
    expect(text).toMatch(/^# HELP temporal_activity_execution_latency .*\[from the Temporal SDK\]$/m);
    const forwarded = parsePrometheusText(text).filter((s) => s.name.startsWith('temporal_'));
    expect(forwarded.length).toBeGreaterThan(10);
    expect(forwarded.filter((s) => Number.isNaN(s.value))).toEqual([]);
  });
});
