import { McpStatusStore } from './store/mcp-status-store';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './api/app';
import { createApiSecurity } from './api/security/api-security';
import { IdempotencyStore } from './store/idempotency-store';
import { createSessionService } from './api/sessions/session-service';
import { OpenChannels } from './api/streaming/open-channels';
import { TurnWaiter } from './api/streaming/turn-waiter';
import type { Config } from './config';
import { listen } from './http/listen';
import { memoryRecallOf } from './memory/memory-recall';
import type { Logger } from './logger';
import { openInfrastructure, type Infrastructure } from './process/infrastructure';
import { runRole } from './process/run-role';
import type { RunningRole } from './process/running-role';
import { sessionSettings } from './process/session-settings';
import { printStartBanner } from './process/start-banner';
import { requireRedis } from './store/redis-reachability';
import { SharedStreamReader } from './store/shared-stream-reader';
import { createTemporalClient } from './temporal/client';
import { temporalAddressOf } from './temporal/temporal-address';
import { temporalConnectionOf, temporalConnectionSummary } from './temporal/temporal-connection';

/** How long in-flight requests other than turn waits and streams get once the API stops. */
const DRAIN_MS = 2000;

export interface RunningApi extends RunningRole {
  url: string;
  server: http.Server;
}

/** Wires and starts the API role: Temporal client, session service, streaming, the Koa app on PORT. */
export async function startApi(
  config: Config,
  infra: Infrastructure,
  logger: Logger,
  temporalAddress: string,
): Promise<RunningApi> {
  const { client, connection } = await createTemporalClient(
    temporalConnectionOf(config, temporalAddress),
    config.TEMPORAL_NAMESPACE,
  );
  // Every SSE client and waiting request of this process reads through these few connections.
  const reader = new SharedStreamReader({
    openConnection: () =>
      infra.redis.duplicate({ connectionName: `${infra.redis.options.connectionName}:stream-reader` }),
    commands: infra.redis,
    keys: infra.keys,
  });
  const channels = new OpenChannels(config.SSE_MAX_STREAMS_PER_PRINCIPAL);
  const sessions = createSessionService({
    client,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    settings: sessionSettings(config),
    snapshots: infra.snapshots,
    events: infra.events,
    history: infra.history,
    conversation: infra.conversation,
    records: infra.sessionRecords,
    idempotency: new IdempotencyStore(infra.redis, infra.keys, config.IDEMPOTENCY_TTL_SECONDS),
    turnEndings: new TurnWaiter(reader),
    turnWaitTimeoutMs: config.TURN_WAIT_TIMEOUT_SECONDS * 1000,
    historyCacheMaxBytes: config.HISTORY_CACHE_MAX_BYTES,
  });
  const app = createApp({
    sessions,
    logger,
    maxMessageChars: config.MESSAGE_MAX_CHARS,
    health: {
      temporal: connection,
      temporalTarget: temporalConnectionSummary(config, temporalAddress),
      redis: infra.redis,
      knex: infra.knex,
      llm: config.llm,
      logger,
      ...(config.MCP_SERVERS || config.MCP_SERVERS_FILE ? { mcp: new McpStatusStore(infra.redis, infra.keys) } : {}),
    },
    security: createApiSecurity(config, infra.redis, logger),
    page: { temporalUiPort: config.TEMPORAL_UI_PORT },
    memory: {
      store: infra.memories,
      recall: memoryRecallOf(config, infra.memories, (err) =>
        logger.warn({ err }, 'memory embeddings failed; keyword search only'),
      ),
    },
    streaming: {
      events: infra.events,
      reader,
      channels,
      drainTimeoutMs: config.SSE_DRAIN_TIMEOUT_SECONDS * 1000,
    },
  });
  const handle = app.callback();
  // Koa's handler settles its own errors (the error middleware answers them); the promise needs no caller.
  const server = http.createServer((req, res) => void handle(req, res));
  await listen(server, config.PORT, config.HOST, 'PORT');
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  logger.info({ url }, 'API listening');
  return {
    url,
    server,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Waiting requests answer 503 with where to follow their turn; open streams get a final event.
        sessions.turnResults.beginShutdown();
        channels.closeAll('API shutting down');
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), DRAIN_MS).unref();
      });
      reader.close();
      await connection.close();
    },
  };
}

/** The `api` process: one API replica against TEMPORAL_ADDRESS and REDIS_URL. */
export function runApiProcess(): Promise<void> {
  return runRole('api', 'API, worker, stores', async ({ config, logger, lifecycle }) => {
    await requireRedis(config.REDIS_URL);
    const temporalAddress = temporalAddressOf(config);
    const infra = await openInfrastructure(config, 'api');
    lifecycle.onStop(() => infra.close());
    const api = await startApi(config, infra, logger, temporalAddress);
    lifecycle.onStop(() => api.stop());
    printStartBanner({ config, temporalAddress, apiUrl: api.url });
  });
}
