import { metricsRegistry, modelLabel, toolCallsTotal } from '../../src/metrics/metrics';
import { startMetricsServer } from '../../src/metrics/metrics-server';

describe('metrics', () => {
  it('when an activity records a tool call then the registry exposes it with its labels', async () => {
    toolCallsTotal.inc({ tool: 'calculator', outcome: 'ok' });
    expect(await metricsRegistry.metrics()).toMatch(/chat_tool_calls_total\{tool="calculator",outcome="ok"\} 1/);
  });

  it('when clients name more than 50 models then later names are labelled other', () => {
    const labels = Array.from({ length: 60 }, (_, i) => modelLabel(`model-${i}`));
    expect(new Set(labels).size).toBe(51);
    expect(labels.slice(50)).toEqual(Array(10).fill('other'));
    expect(modelLabel('model-3')).toBe('model-3');
  });

  it('when the worker metrics server runs then it serves /metrics and a /health that follows the worker state', async () => {
    let healthy = true;
    const server = await startMetricsServer(0, '127.0.0.1', () => healthy);
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('# TYPE chat_turn_duration_seconds histogram');
      expect((await fetch(`${base}/health`)).status).toBe(200);
      healthy = false;
      expect((await fetch(`${base}/health`)).status).toBe(503);
      expect((await fetch(`${base}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
