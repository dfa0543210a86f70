import { z } from 'zod';

const durationPattern = /^\d+(ms|s|m|h|d)$/;

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const boolString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = z.number().int().min(1);

/** The SDK worker options WORKER_TUNING may set (names as in the SDK's WorkerOptions). */
const workerTuningSchema = z
  .object({
    reuseV8Context: z.boolean(),
    workflowThreadPoolSize: positiveInt,
    maxConcurrentWorkflowTaskExecutions: z.number().int().min(2),
    maxConcurrentActivityTaskExecutions: positiveInt,
    maxConcurrentLocalActivityExecutions: positiveInt,
    maxConcurrentWorkflowTaskPolls: z.number().int().min(2),
    maxConcurrentActivityTaskPolls: positiveInt,
    nonStickyToStickyPollRatio: z.number().gt(0).max(1),
  })
  .partial()
  .strict();

/**
 * Every setting the service reads, parsed once at boot. Each key has a default and a
 * description so `.env.example` and the README table can be checked against this one list.
 */
export const configSchema = z.object({
  HOST: z.string().default('127.0.0.1').describe('Interface the API listens on (0.0.0.0 in containers).'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('API port (0 picks a free port).'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level.'),
  DATA_DIR: z.string().default('data').describe('Directory for the SQLite archive and the embedded Temporal database.'),
  TEMPORAL_ADDRESS: optionalString.describe(
    'host:port of an existing Temporal server. Unset: `npm start` launches `temporal server start-dev`.',
  ),
  TEMPORAL_NAMESPACE: z.string().default('default').describe('Temporal namespace.'),
  TEMPORAL_TLS: boolString
    .default(false)
    .describe(
      'Connect to Temporal over TLS, verifying the server against the system CAs. Implied by any TEMPORAL_TLS_* key or TEMPORAL_API_KEY.',
    ),
  TEMPORAL_TLS_CA: optionalString.describe(
    "CA certificate that signed the Temporal server's certificate (a file path, or inline PEM starting with `-----BEGIN`); unset: the system CAs.",
  ),
  TEMPORAL_TLS_CERT: optionalString.describe(
    'Client certificate for mTLS (a file path, or inline PEM starting with `-----BEGIN`); needs TEMPORAL_TLS_KEY.',
  ),
  TEMPORAL_TLS_KEY: optionalString.describe(
    'Private key of TEMPORAL_TLS_CERT (a file path, or inline PEM starting with `-----BEGIN`); needs TEMPORAL_TLS_CERT.',
  ),
  TEMPORAL_TLS_SERVER_NAME: optionalString.describe(
    "Name to verify the Temporal server's certificate against (and send as SNI) instead of TEMPORAL_ADDRESS's host.",
  ),
  TEMPORAL_API_KEY: optionalString.describe(
    'API key for Temporal Cloud (sent as `authorization: Bearer <key>`; implies TLS). Never shown in /health or the banner.',
  ),
  TEMPORAL_TASK_QUEUE: z.string().default('chat-agent').describe('Task queue shared by the API and the workers.'),
  TEMPORAL_CLI_PATH: optionalString.describe(
    'Path to a `temporal` CLI binary; otherwise PATH, then the cached pinned build.',
  ),
  TEMPORAL_DEV_PORT: z.coerce
    .number()
    .int()
    .min(1)
    .max(65535)
    .default(7233)
    .describe('gRPC port of the embedded dev server.'),
  TEMPORAL_UI_PORT: z.coerce
    .number()
    .int()
    .min(1)
    .max(65535)
    .default(8233)
    .describe('Web UI port of the embedded dev server.'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379').describe('Redis for live state and event streams.'),
  REDIS_KEY_PREFIX: z.string().default('chat:').describe('Prefix of every Redis key this service writes.'),
  SQLITE_FILENAME: optionalString.describe('SQLite archive file (default: DATA_DIR/chat.db).'),
  DATABASE_URL: optionalString
    .refine((url) => url === undefined || /^postgres(ql)?:\/\//i.test(url), 'must be a postgres:// URL')
    .describe(
      'Postgres for the archive (postgres://user:password@host:5432/db), shared by every API and worker; unset: the SQLite file.',
    ),
  LLM_BASE_URL: optionalString.describe(
    'OpenAI-compatible endpoint (vLLM, Ollama, OpenAI...). Takes precedence over OpenRouter.',
  ),
  LLM_API_KEY: optionalString.describe('API key for LLM_BASE_URL (or OpenAI when LLM_BASE_URL is unset).'),
  OPENROUTER_API_KEY: optionalString.describe('OpenRouter key; used when LLM_BASE_URL is unset.'),
  OPENROUTER_BASE_URL: z.string().default('https://openrouter.ai/api/v1').describe('OpenRouter endpoint.'),
  LLM_MODEL: optionalString.describe(
    'Model name sent to the provider (default: deepseek/deepseek-chat-v3-0324:free on OpenRouter, offline-rules offline).',
  ),
  LLM_PRICE_INPUT_PER_1M: z.coerce
    .number()
    .min(0)
    .default(0)
    .describe('USD per 1M prompt tokens, for the cost figure.'),
  LLM_PRICE_OUTPUT_PER_1M: z.coerce
    .number()
    .min(0)
    .default(0)
    .describe('USD per 1M completion tokens, for the cost figure.'),
  LLM_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(60).describe('Per-attempt timeout of one model call.'),
  OFFLINE_MODEL_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(0)
    .describe('Port of the built-in offline model (0 = free port).'),
  SYSTEM_PROMPT: z
    .string()
    .default('You are a helpful assistant. Use the tools when they help, and answer concisely.')
    .describe('System prompt put in front of every model call.'),
  HISTORY_WINDOW_MESSAGES: z.coerce
    .number()
    .int()
    .min(2)
    .max(500)
    .default(20)
    .describe('Recent messages sent to the model.'),
  MAX_TOOL_STEPS: z.coerce
    .number()
    .int()
    .min(1)
    .max(50)
    .default(6)
    .describe('Model calls per turn before the turn stops with an honest message.'),
  SESSION_IDLE_TIMEOUT: z
    .string()
    .regex(durationPattern)
    .default('1h')
    .describe('An idle session ends itself after this long (e.g. 30m, 1h).'),
  SESSION_CONTINUE_AS_NEW_TURNS: z.coerce
    .number()
    .int()
    .min(1)
    .default(200)
    .describe(
      'A session workflow continues as new after this many turns in one run (and whenever Temporal suggests it).',
    ),
  STORE_RETRY_MAX_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(10)
    .default(30_000)
    .describe(
      'Longest wait between retries of an archive/mirror write while Redis or SQLite is down (they retry until it is back).',
    ),
  SESSION_MAX_PENDING: z.coerce
    .number()
    .int()
    .min(0)
    .default(10)
    .describe('Messages that may queue behind a running turn; more are refused with 429 session_queue_full.'),
  SESSION_MAX_TOKENS: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      'Per-session token budget: once spent, turns are refused with 402 budget_exceeded before any model call (0 = no limit).',
    ),
  SESSION_MAX_COST: z.coerce
    .number()
    .min(0)
    .default(0)
    .describe('Per-session cost budget in USD, like SESSION_MAX_TOKENS (0 = no limit).'),
  TEMPORAL_SEARCH_ATTRIBUTES: boolString
    .default(true)
    .describe(
      'Set the Chat* search attributes on session workflows (the embedded dev server registers them; on a cluster create them first, see README).',
    ),
  SESSION_SNAPSHOT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .default(3600)
    .describe('Sliding TTL of the Redis session snapshot and event stream.'),
  IDEMPOTENCY_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(86_400)
    .default(86_400)
    .describe(
      'How long an Idempotency-Key is remembered (at least 24 h); a retry after that still maps to the same turn, which runs at most once.',
    ),
  STREAM_MAX_LEN: z.coerce
    .number()
    .int()
    .min(100)
    .default(5000)
    .describe('Approximate cap on events kept per session stream.'),
  SSE_MAX_STREAMS_PER_PRINCIPAL: z.coerce
    .number()
    .int()
    .min(0)
    .default(20)
    .describe(
      'Open SSE streams one caller (API key principal; the IP when the API runs open) may hold on one API process; more answer 429 too_many_streams (0 = no cap).',
    ),
  SSE_DRAIN_TIMEOUT_SECONDS: z.coerce
    .number()
    .min(0.1)
    .default(30)
    .describe(
      'How long an SSE client may leave its send buffer full (not reading) before the stream ends with slow_consumer.',
    ),
  TURN_WAIT_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(180)
    .describe('How long POST /api/chat/message waits for the turn before answering 504.'),
  HISTORY_CACHE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(16 * 1024 * 1024)
    .describe(
      'Per API process: history answers (GET /api/chat/history) of recently read sessions kept in memory, up to this many bytes; served while the session snapshot shows the archive unchanged. 0 turns the cache off.',
    ),
  MESSAGE_MAX_CHARS: z.coerce.number().int().min(1).default(8000).describe('Longest accepted user message.'),
  REDIS_AUTOSTART: boolString
    .default(true)
    .describe('Launch redis-server for the run when REDIS_URL is unreachable on localhost.'),
  // The agent turn: model fallback chain, tools, memory.
  LLM_MODELS: optionalString.describe(
    'Fallback chain: comma-separated model names, or a JSON array of {model, base_url?, api_key_env?, tools?, input_per_1m?, output_per_1m?} (default: 3 free OpenRouter models with OPENROUTER_API_KEY, else LLM_MODEL).',
  ),
  LLM_OFFLINE_FALLBACK: boolString
    .default(false)
    .describe('When every model fails, the built-in offline model answers instead (flagged in the result).'),
  LLM_MAX_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(10)
    .default(3)
    .describe(
      "Failures of a model's own (429, 5xx, resets, provider timeouts) per model call before the chain moves on; a dead worker, a shutdown or a store outage does not count.",
    ),
  LLM_HEARTBEAT_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(2)
    .default(10)
    .describe('A model call that sends no heartbeat for this long (its worker died) is retried on another worker.'),
  LLM_RETRY_INITIAL_MS: z.coerce
    .number()
    .int()
    .min(1)
    .default(1000)
    .describe('First retry delay of a failed model call (doubles each attempt; a Retry-After header wins).'),
  HISTORY_TOKEN_BUDGET: z.coerce
    .number()
    .int()
    .min(100)
    .default(6000)
    .describe('Estimated tokens of conversation sent to the model, on top of the message cap.'),
  TOOL_CACHE_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(600)
    .describe('TTL of cached tool results in Redis (0 disables the cache).'),
  TOOL_HTTP_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(4000)
    .describe('Timeout of one HTTP call made by a tool (weather, search).'),
  HISTORY_BY_REFERENCE: boolString
    .default(true)
    .describe(
      'Model and mirror activity inputs carry the conversation by reference (turn ranges, keys), not its messages; false: inline, and summaries are off too (they read turns by reference). Fixed per session at its start.',
    ),
  CONVERSATION_SUMMARIES_ENABLED: boolString
    .default(true)
    .describe(
      'Summarise the turns that leave the context window (summarizeConversation) into a note leading the context; false: old turns are dropped. Fixed per session at its start.',
    ),
  MEMORY_ENABLED: boolString
    .default(true)
    .describe('Long-term memory per principal: the remember and recall tools, automatic recall and /api/memory.'),
  MEMORY_AUTO_RECALL: boolString
    .default(true)
    .describe('Recall relevant memories into the context of every model call (the recall tool works either way).'),
  MEMORY_RECALL_TOP_K: z.coerce
    .number()
    .int()
    .min(1)
    .max(50)
    .default(5)
    .describe('Most memories recalled into one model call (and returned by the recall tool).'),
  MEMORY_RECALL_MIN_SCORE: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.3)
    .describe(
      "Relevance a memory needs to be recalled (0..1: the share of the question's keywords it contains, or its cosine similarity with EMBEDDINGS_MODEL when higher).",
    ),
  MEMORY_RECALL_MAX_TOKENS: z.coerce
    .number()
    .int()
    .min(10)
    .default(300)
    .describe('Estimated tokens of recalled memories added to one model call.'),
  MEMORY_MAX_CHARS: z.coerce
    .number()
    .int()
    .min(10)
    .max(10_000)
    .default(500)
    .describe('Longest memory the remember tool stores, in characters.'),
  EMBEDDINGS_MODEL: optionalString.describe(
    'Embedding model for memory recall (OpenAI-compatible /embeddings). Unset: keyword recall only; set: hybrid (the better of keyword and vector relevance).',
  ),
  EMBEDDINGS_BASE_URL: optionalString.describe("Base URL of the /embeddings endpoint; unset: the primary model's."),
  EMBEDDINGS_API_KEY: optionalString.describe("API key for EMBEDDINGS_BASE_URL; unset: the primary model's."),
  WEATHER_PROVIDER: z
    .enum(['open-meteo', 'offline'])
    .default('open-meteo')
    .describe('open-meteo (keyless, falls back to offline when unreachable) or offline (deterministic).'),
  WEATHER_GEOCODING_URL: z
    .string()
    .default('https://geocoding-api.open-meteo.com/v1/search')
    .describe('Open-Meteo geocoding endpoint.'),
  WEATHER_FORECAST_URL: z
    .string()
    .default('https://api.open-meteo.com/v1/forecast')
    .describe('Open-Meteo forecast endpoint.'),
  SEARCH_PROVIDER: z
    .enum(['offline', 'tavily', 'searxng'])
    .default('offline')
    .describe(
      'offline (bundled corpus), tavily (needs TAVILY_API_KEY) or searxng (needs SEARXNG_URL); real ones fall back to offline.',
    ),
  TAVILY_API_KEY: optionalString.describe('Tavily API key for SEARCH_PROVIDER=tavily.'),
  TAVILY_URL: z.string().default('https://api.tavily.com/search').describe('Tavily search endpoint.'),
  SEARXNG_URL: optionalString.describe(
    'Base URL of a SearXNG instance (JSON output enabled) for SEARCH_PROVIDER=searxng.',
  ),
  API_KEYS: optionalString.describe(
    'Comma-separated `key:principal` pairs. When set (or API_KEYS_FILE), every /api request needs `Authorization: Bearer <key>`; unset, the API runs open.',
  ),
  API_KEYS_FILE: optionalString.describe(
    'JSON file mapping API key to principal name (`{"<key>": "alice"}`); merged with API_KEYS.',
  ),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86400)
    .default(60)
    .describe('Length of the rate-limit window.'),
  RATE_LIMIT_REQUESTS: z.coerce
    .number()
    .int()
    .min(0)
    .default(300)
    .describe('Requests to /api per window per principal (per client IP when open); 0 turns the limit off.'),
  RATE_LIMIT_MESSAGES: z.coerce
    .number()
    .int()
    .min(0)
    .default(20)
    .describe(
      'Messages sent (POST /api/chat/message and /api/chat/message/stream) per window per principal (per IP when open); 0 = off.',
    ),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== ''),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(/^https?:\/\/[^/\s?#]+$/, 'each CORS origin must look like https://host[:port], without a path'),
      ),
    )
    .describe(
      'Comma-separated browser origins allowed to call the API (e.g. https://app.example.com); empty = no cross-origin access.',
    ),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1_048_576)
    .describe('Largest accepted request body; larger ones get 413.'),
  WORKFLOW_BUNDLE_PATH: optionalString.describe(
    'Prebuilt workflow bundle (bundleWorkflowCode output) for the worker; unset, the worker bundles workflows/ at start.',
  ),
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .default(20)
    .describe(
      'On SIGTERM a worker stops polling and lets running activities finish this long; then they are handed back for a retry elsewhere.',
    ),
  TOOL_APPROVAL: optionalString
    .refine(
      (v) => v === undefined || v.split(',').every((rule) => /^\s*[\w.-]+\s*:\s*(never|always)\s*$/.test(rule)),
      'TOOL_APPROVAL must look like search:never,fs__write_file:always',
    )
    .describe(
      "Per-tool approval policy, `tool:never|always` comma-separated (e.g. `search:never,fs__write_file:always`); overrides the tool definition's policy.",
    ),
  TOOL_APPROVAL_TIMEOUT: z
    .string()
    .regex(durationPattern)
    .default('24h')
    .describe('A tool call waiting for approval is denied (reason `timeout`) after this long (e.g. 30m, 24h).'),
  TOOL_MODULES: optionalString.describe(
    'Comma-separated module paths, each exporting `createTools(config)` that returns extra tool definitions for the worker (your own tools, test tools).',
  ),
  MCP_SERVERS: optionalString.describe(
    'MCP servers whose tools the worker offers, as JSON: `{"fs":{"command":"node","args":[...],"env":{...}},"remote":{"url":"http://host/mcp","headers":{...}}}` (stdio or Streamable HTTP; optional `timeout_seconds`, `max_attempts` per server). Tools are named `<server>__<tool>`.',
  ),
  MCP_SERVERS_FILE: optionalString.describe(
    'Path to a JSON file with the MCP_SERVERS object (used when MCP_SERVERS is unset).',
  ),
  MCP_MAX_RESULT_CHARS: z.coerce
    .number()
    .int()
    .min(200)
    .default(20_000)
    .describe('Longest MCP tool result the model receives; longer ones are cut and say so.'),
  WORKER_METRICS_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(0)
    .describe('Port where a worker process serves /metrics and /health (0 = off; the API serves /metrics itself).'),
  WORKER_MAX_CACHED_WORKFLOWS: optionalString
    .transform((v) => (v === undefined ? undefined : Number(v)))
    .pipe(z.number().int().min(2).optional())
    .describe(
      'Sessions a worker keeps in memory between turns (unset: the SDK sizes it from the heap, ~2,000). Each cached session costs the worker ~0.35 MB of RSS (bench/README.md, idle sessions); lower bounds worker RSS with many idle sessions, and an evicted session replays its history on its next turn.',
    ),
  WORKER_TUNING: optionalString
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'WORKER_TUNING must be a JSON object' });
        return z.NEVER;
      }
    })
    .pipe(workerTuningSchema.optional())
    .describe(
      'Temporal SDK worker options as JSON, for tuning measured with the bench (unset: the SDK defaults): `reuseV8Context`, `workflowThreadPoolSize`, `maxConcurrentWorkflowTaskExecutions`, `maxConcurrentActivityTaskExecutions`, `maxConcurrentLocalActivityExecutions`, `maxConcurrentWorkflowTaskPolls`, `maxConcurrentActivityTaskPolls`, `nonStickyToStickyPollRatio`, e.g. `{"workflowThreadPoolSize":2}`.',
    ),
  TRUST_PROXY: boolString
    .default(false)
    .describe(
      'Take the client IP (for per-IP rate limits) from the last X-Forwarded-For hop; set only behind a proxy that sets it.',
    ),
});

export type RawConfig = z.infer<typeof configSchema>;
