import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createApiSecurity } from './api/api-security';
import { createApp } from './api/app';
import { SessionService } from './api/session-service';
import { OpenChannels } from './api/sse/open-channels';
import { TurnWaiter } from './api/turn-waiter';
import type { Config } from './config';
import { listen } from './listen';
import { sessionSettings, type Infrastructure } from './infrastructure';
import { ModelRouter } from './llm/model-router';
import { startOfflineModelServer } from './llm/offline-model-server';
import { BlockingConnectionPool } from './store/blocking-connection-pool';
import { ToolResultCache } from './store/tool-result-cache';
import { ToolRunLedger } from './store/tool-run-ledger';
import { createToolRegistry } from './tools/registry';
import { loadToolModules } from './tools/tool-modules';
import type { Logger } from './logger';
import { startMetricsServer } from './metrics/metrics-server';
import { createTemporalClient } from './temporal/client';
import { createChatWorker } from './temporal/worker';

/** How long a non-idempotent tool call's claim and result are kept: far beyond any activity retry. */
const TOOL_RUN_LEDGER_TTL_SECONDS = 7 * 24 * 3600;

/** A started process role; `stop` releases what the role opened (not the shared infrastructure). */
export interface RunningRole {
  stop(): Promise<void>;
}

export interface RunningApi extends RunningRole {
  url: string;
  server: http.Server;
}

export async function startApi(config: Config, infra: Infrastructure, logger: Logger, temporalAddress: string): Promise<RunningApi> {
  const { client, connection } = await createTemporalClient(temporalAddress, config.TEMPORAL_NAMESPACE);
  const blocking = new BlockingConnectionPool(() => infra.redis.duplicate());
  const { acquire: openBlockingConnection, release: releaseBlockingConnection } = blocking;
  const channels = new OpenChannels();
  const sessions = new SessionService({
    client,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    settings: sessionSettings(config),
    snapshots: infra.snapshots,
    events: infra.events,
    history: infra.history,
    records: infra.sessionRecords,
    waiter: new TurnWaiter(infra.events, openBlockingConnection, releaseBlockingConnection),
    turnWaitTimeoutMs: config.TURN_WAIT_TIMEOUT_SECONDS * 1000,
  });
  const app = createApp({
    sessions,
    logger,
    maxMessageChars: config.MESSAGE_MAX_CHARS,
    health: { temporal: connection, redis: infra.redis, knex: infra.knex, llm: config.llm },
    security: createApiSecurity(config, infra.redis, logger),
    streaming: { events: infra.events, openBlockingConnection, releaseBlockingConnection, channels },
  });
  const server = http.createServer(app.callback());
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
        sessions.beginShutdown();
        channels.closeAll('API shutting down');
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      blocking.close();
      await connection.close();
    },
  };
}

export interface StartWorkerOptions {
  /** The worker stopped by itself (e.g. it lost the Temporal server for good); the process should exit. */
  onFatal?: (err: unknown) => void;
}

export async function startWorker(
  config: Config,
  infra: Infrastructure,
  logger: Logger,
  temporalAddress: string,
  workflowBundle?: WorkerOptions['workflowBundle'],
  options: StartWorkerOptions = {},
): Promise<RunningRole> {
  // The built-in offline model runs beside the worker when a model in the chain is it, or as the last resort.
  const needsOffline = config.llm.offlineFallback || config.llm.models.some((m) => m.baseUrl === undefined);
  const offline = needsOffline ? await startOfflineModelServer(config.OFFLINE_MODEL_PORT) : undefined;
  if (offline && config.llm.mode === 'offline') {
    logger.warn({ baseUrl: offline.baseUrl }, 'OFFLINE MODEL IN USE: no LLM key configured; answers are rule-based');
  }
  const activities = createActivities({
    models: new ModelRouter(config.llm.models, offline?.baseUrl, config.LLM_TIMEOUT_SECONDS * 1000),
    tools: createToolRegistry(config, await loadToolModules(config)),
    events: infra.events,
    snapshots: infra.snapshots,
    history: infra.history,
    sessionRecords: infra.sessionRecords,
    toolCache: new ToolResultCache(infra.redis, infra.keys, config.TOOL_CACHE_TTL_SECONDS),
    toolRuns: new ToolRunLedger(infra.redis, infra.keys, TOOL_RUN_LEDGER_TTL_SECONDS),
  });
  const { worker, connection } = await createChatWorker({
    address: temporalAddress,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities,
    workflowBundle,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    shutdownGraceSeconds: config.WORKER_SHUTDOWN_GRACE_SECONDS,
  });
  let stopping = false;
  // Handled at once, so a worker that dies on its own is an orderly exit, never an unhandled rejection.
  const running = worker.run().catch((err: unknown) => {
    if (stopping) {
      logger.error({ err }, 'worker stopped with an error');
      return;
    }
    logger.fatal({ err }, 'worker stopped on its own');
    options.onFatal?.(err);
  });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker running');
  const metricsServer = config.WORKER_METRICS_PORT ? await startMetricsServer(config.WORKER_METRICS_PORT, config.HOST, () => worker.getState() === 'RUNNING') : undefined;
  return {
    async stop() {
      stopping = true;
      await metricsServer?.close();
      if (worker.getState() === 'RUNNING') {
        logger.info({ graceSeconds: config.WORKER_SHUTDOWN_GRACE_SECONDS }, 'worker shutting down: no new tasks, running activities may finish');
        worker.shutdown();
      }
      await running;
      logger.info('worker stopped');
      await connection.close();
      await offline?.close();
    },
  };
}
