import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsRegistry } from './metrics';
import { listen } from '../http/listen';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * A worker process has no API, but its activities record the chat metrics: this tiny server
 * exposes them at /metrics, and /health (200 while `healthy()` holds) for container probes, with
 * `details` beside the status (where the worker is connected: no secrets).
 */
export async function startMetricsServer(
  port: number,
  host: string,
  healthy: () => boolean,
  details: Record<string, unknown> = {},
): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      metricsRegistry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (req.method === 'GET' && path === '/health') {
      const ok = healthy();
      res
        .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: ok ? 'ok' : 'degraded', ...details }));
    } else {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { status: 404, code: 'not_found', message: 'Only /metrics and /health here.' } }));
    }
  });
  await listen(server, port, host, 'WORKER_METRICS_PORT');
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
