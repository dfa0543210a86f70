import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createLogger } from '../../src/logger';
import { installTemporalRuntime } from '../../src/temporal/runtime';
import { calculatorScript, startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server';
import { postJson } from '../helpers/http';
import { parsePrometheusText } from '../helpers/prometheus-text';
import { startTestStack, type TestStack } from '../helpers/test-stack';

/** Debian's prometheus package installs it here; without it this file is reported as skipped, by name. */
const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';
const describeWithPromtool = fs.existsSync(PROMTOOL) ? describe : describe.skip;
const skipped = fs.existsSync(PROMTOOL) ? '' : ` (skipped: no ${PROMTOOL}; Debian: apt-get install prometheus)`;

/** `promtool check metrics` reads the exposition on stdin and lints it: problems on stdout/stderr, exit 1. */
function promtoolCheck(text: string): { code: number | null; output: string } {
  const run = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (run.error) throw run.error;
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

describeWithPromtool(
  `promtool check metrics on a live /metrics (real Temporal, Redis, SQLite; scripted model)${skipped}`,
  () => {
    let model: FakeOpenAiServer;
    let stack: TestStack;

    beforeAll(async () => {
      const logger = createLogger('silent');
      installTemporalRuntime(logger); // as `npm start` does: the worker's metrics are forwarded into /metrics
      model = await startFakeOpenAiServer(calculatorScript);
      stack = await startTestStack({ llmBaseUrl: model.baseUrl, logger });
    });
    afterAll(async () => {
      await stack?.stop();
      await model?.close();
    });

    it('when a tool turn has run then promtool finds no problem in /metrics, forwarded Temporal counters included', async () => {
      expect((await postJson(stack.url('/api/chat/message'), { message: 'Calculate 7 * 6' })).status).toBe(200);
      let text = await (await fetch(stack.url('/metrics'))).text();
      // The worker's metrics arrive through the SDK's metrics buffer: wait for a forwarded counter and histogram.
      const forwardedCounter = /^# TYPE temporal_(?!sdk_metric_updates_forwarded_total)\w+ counter$/m;
      while (!forwardedCounter.test(text) || !/^temporal_activity_execution_latency_count\{/m.test(text)) {
        await new Promise((r) => setTimeout(r, 200));
        text = await (await fetch(stack.url('/metrics'))).text();
      }
      const names = parsePrometheusText(text).map((s) => s.name);
      expect(names).toEqual(expect.arrayContaining(['process_cpu_seconds_total', 'nodejs_active_handles']));
      expect(promtoolCheck(text)).toEqual({ code: 0, output: '' });
    });
  },
);
