import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Config } from './config';
import { ModelRouter } from './llm/model-router';
import { startOfflineModelServer } from './llm/offline-model-server';
import type { Logger } from './logger';
import { startMetricsServer } from './metrics/metrics-server';
import { openInfrastructure, type Infrastructure } from './process/infrastructure';
import { runRole } from './process/run-role';
import type { RunningRole } from './process/running-role';
import { printStartBanner } from './process/start-banner';
import { requireRedis } from './store/redis-reachability';
import { ToolResultCache } from './store/tool-result-cache';
import { ToolRunLedger } from './store/tool-run-ledger';
import { temporalAddressOf } from './temporal/temporal-address';
import { temporalConnectionOf, temporalConnectionSummary } from './temporal/temporal-connection';
import { createChatWorker } from './temporal/worker';
import { McpStatusStore } from './store/mcp-status-store';
import { loadMcpServers } from './tools/mcp/mcp-server-config';
import { McpToolHub } from './tools/mcp/mcp-tool-hub';
import { createToolRegistry, type ToolRegistry } from './tools/registry';
import { loadToolModules } from './tools/tool-modules';
import { createMemoryTools } from './tools/memory-tools';
import { memoryRecallOf } from './memory/memory-recall';

/** How long a non-idempotent tool call's claim and result are kept: far beyond any activity retry. */
const TOOL_RUN_LEDGER_TTL_SECONDS = 7 * 24 * 3600;

export interface StartWorkerOptions {
  /** The worker stopped by itself (e.g. it lost the Temporal server for good); the process should exit. */
  onFatal?: (err: unknown) => void;
}

/** Wires and starts the worker role: model router (and the offline model when needed), tools, activities, the Temporal worker. */
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
  const recall = config.MEMORY_ENABLED
    ? memoryRecallOf(config, infra.memories, (err) =>
        logger.warn({ err }, 'memory embeddings failed; keyword recall only'),
      )
    : undefined;
  const memoryTools = recall ? createMemoryTools(infra.memories, recall, config.MEMORY_MAX_CHARS) : [];
  const tools = createToolRegistry(config, [...memoryTools, ...(await loadToolModules(config))]);
  const mcp = await startMcpTools(config, infra, tools, logger);
  const activities = createActivities({
    models: new ModelRouter(config.llm.models, offline?.baseUrl, config.LLM_TIMEOUT_SECONDS * 1000),
    tools,
    events: infra.events,
    snapshots: infra.snapshots,
    history: infra.history,
    conversation: infra.conversation,
    sessionRecords: infra.sessionRecords,
    toolCache: new ToolResultCache(infra.redis, infra.keys, config.TOOL_CACHE_TTL_SECONDS),
    toolRuns: new ToolRunLedger(infra.redis, infra.keys, TOOL_RUN_LEDGER_TTL_SECONDS),
    memories: infra.memories,
    recall,
  });
  const { worker, connection } = await createChatWorker({
    connection: temporalConnectionOf(config, temporalAddress),
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    activities,
    workflowBundle,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    tuning: config.WORKER_TUNING,
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
  const metricsServer = config.WORKER_METRICS_PORT
    ? await startMetricsServer(config.WORKER_METRICS_PORT, config.HOST, () => worker.getState() === 'RUNNING', {
        temporal: temporalConnectionSummary(config, temporalAddress),
      })
    : undefined;
  return {
    async stop() {
      stopping = true;
      await metricsServer?.close();
      if (worker.getState() === 'RUNNING') {
        logger.info(
          { graceSeconds: config.WORKER_SHUTDOWN_GRACE_SECONDS },
          'worker shutting down: no new tasks, running activities may finish',
        );
        worker.shutdown();
      }
      await running;
      logger.info('worker stopped');
      await connection.close();
      await mcp?.stop();
      await offline?.close();
    },
  };
}

/** How often a worker reports its MCP servers' state (the report's TTL is three times this). */
const MCP_STATUS_INTERVAL_MS = 10_000;

/**
 * Connects the MCP servers of MCP_SERVERS (their tools join the registry before the worker
 * registers activities) and reports their state to Redis, where the API's /health reads it.
 */
async function startMcpTools(
  config: Config,
  infra: Infrastructure,
  tools: ToolRegistry,
  logger: Logger,
): Promise<{ stop(): Promise<void> } | undefined> {
  const servers = loadMcpServers(config);
  if (Object.keys(servers).length === 0) return undefined;
  const statusStore = new McpStatusStore(infra.redis, infra.keys);
  const workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const report = () =>
    void statusStore
      .put(workerId, hub.status())
      .catch((err: unknown) => logger.warn({ err }, 'mcp status report failed'));
  const hub: McpToolHub = new McpToolHub(servers, tools, {
    maxResultChars: config.MCP_MAX_RESULT_CHARS,
    logger,
    onChange: () => report(),
  });
  await hub.start();
  report();
  const timer = setInterval(report, MCP_STATUS_INTERVAL_MS);
  return {
    async stop() {
      clearInterval(timer);
      await hub.close();
      await statusStore.remove(workerId).catch(() => undefined);
    },
  };
}

/** `WORKFLOW_BUNDLE_PATH` as the worker takes it; unset, the worker bundles workflows/ itself. */
export function workflowBundleOf(config: Config): WorkerOptions['workflowBundle'] {
  return config.WORKFLOW_BUNDLE_PATH ? { codePath: config.WORKFLOW_BUNDLE_PATH } : undefined;
}

/** The `worker` process: one worker replica polling TEMPORAL_TASK_QUEUE; exits 1 if the worker stops on its own. */
export function runWorkerProcess(): Promise<void> {
  return runRole('worker', 'API, worker, stores', async ({ config, logger, lifecycle }) => {
    await requireRedis(config.REDIS_URL);
    const temporalAddress = temporalAddressOf(config);
    const infra = await openInfrastructure(config, 'worker');
    lifecycle.onStop(() => infra.close());
    const worker = await startWorker(config, infra, logger, temporalAddress, workflowBundleOf(config), {
      onFatal: () => lifecycle.shutdown('worker failure', 1),
    });
    lifecycle.onStop(() => worker.stop());
    printStartBanner({ config, temporalAddress });
  });
}
