import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus metrics: one Registry (served at GET /metrics) with the default
 * process metrics, HTTP metrics recorded by the API middleware, and the chat metrics that the
 * activities and the SSE endpoint record. Module-level on purpose: API and worker in one
 * process (`npm start`) share it, and a metric can be registered only once per registry.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });
/**
 * prom-client's `nodejs_active_{handles,requests,resources}_total` are gauges named like counters,
 * which Prometheus tooling (`promtool check metrics`) rejects; the same counts stay as the sum of
 * `nodejs_active_handles`, `nodejs_active_requests` and `nodejs_active_resources` (by type).
 */
for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
  metricsRegistry.removeSingleMetric(name);

const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export const httpRequestsTotal = new Counter({
  name: 'http_requests_total',
  help: 'HTTP requests answered, by method, route template and status.',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [metricsRegistry],
});

export const httpRequestDurationSeconds = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'Time until the response headers and body were handed to Node (for SSE: until the stream was set up).',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: seconds,
  registers: [metricsRegistry],
});

export const turnDurationSeconds = new Histogram({
  name: 'chat_turn_duration_seconds',
  help: 'Turn latency from message accepted by the API to the final event of the turn, by outcome (completed | failed | cancelled | rejected); observed by the API request or SSE stream waiting for the turn.',
  labelNames: ['outcome'] as const,
  buckets: seconds,
  registers: [metricsRegistry],
});

export const timeToFirstTokenSeconds = new Histogram({
  name: 'chat_time_to_first_token_seconds',
  help: 'Time from message accepted by the API to the first streamed token of the turn, by the model that produced it; observed by the API request or SSE stream waiting for the turn.',
  labelNames: ['model'] as const,
  buckets: seconds,
  registers: [metricsRegistry],
});

export const modelCallsTotal = new Counter({
  name: 'chat_model_calls_total',
  help: 'Model call attempts (one per callModel activity attempt) by model and outcome (ok | rate_limited | server_error | unavailable | auth_error | bad_request | tools_unsupported | not_configured | cancelled | error).',
  labelNames: ['model', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const modelFallbacksTotal = new Counter({
  name: 'chat_model_fallbacks_total',
  help: 'Switches from one model to the next in the fallback chain (to_model is the offline model when the whole chain failed).',
  labelNames: ['from_model', 'to_model'] as const,
  registers: [metricsRegistry],
});

export const toolCallsTotal = new Counter({
  name: 'chat_tool_calls_total',
  help: 'Tool calls by tool and outcome (ok | cached | replayed | invalid_arguments | error | exception | cancelled | unknown_tool); one per tool activity attempt.',
  labelNames: ['tool', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const mcpCallsTotal = new Counter({
  name: 'chat_mcp_calls_total',
  help: 'MCP tool calls by server, tool and outcome (ok | error | timeout | server_down | connection_lost | cancelled); one per call that reached the MCP client.',
  labelNames: ['server', 'tool', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const tokensTotal = new Counter({
  name: 'chat_tokens_total',
  help: 'Tokens used by successful model calls, by model and kind (prompt | completion); estimated from text length when the provider sends no usage.',
  labelNames: ['model', 'kind'] as const,
  registers: [metricsRegistry],
});

export const costUsdTotal = new Counter({
  name: 'chat_cost_usd_total',
  help: 'Estimated cost in USD of successful model calls, from the configured prices, by model.',
  labelNames: ['model'] as const,
  registers: [metricsRegistry],
});

export const activeStreams = new Gauge({
  name: 'chat_active_streams',
  help: 'SSE streams currently open on this API process.',
  registers: [metricsRegistry],
});

const MAX_MODEL_LABELS = 50;
const seenModels = new Set<string>();

/**
 * Clients may name any model, so a raw model label would let them grow the series without bound:
 * the first 50 names are kept, later ones are counted as `other`.
 */
export function modelLabel(model: string): string {
  const name = model.slice(0, 100);
  if (seenModels.has(name)) return name;
  if (seenModels.size >= MAX_MODEL_LABELS) return 'other';
  seenModels.add(name);
  return name;
}
