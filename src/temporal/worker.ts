import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { ChatActivities } from '../../activities';
import { temporalConnectError } from './temporal-connect-error';
import type { TemporalConnectionSettings } from './temporal-connection';

/** The SDK worker options WORKER_TUNING may set (see workerTuningSchema). */
type WorkerTuning = Partial<
  Pick<
    WorkerOptions,
    | 'reuseV8Context'
    | 'workflowThreadPoolSize'
    | 'maxConcurrentWorkflowTaskExecutions'
    | 'maxConcurrentActivityTaskExecutions'
    | 'maxConcurrentLocalActivityExecutions'
    | 'maxConcurrentWorkflowTaskPolls'
    | 'maxConcurrentActivityTaskPolls'
    | 'nonStickyToStickyPollRatio'
  >
>;

export interface ChatWorkerOptions {
  /** From temporalConnectionOf: address, TLS, API key, as the API's client connects. */
  connection: TemporalConnectionSettings;
  namespace: string;
  taskQueue: string;
  activities: ChatActivities;
  /** A prebuilt bundle (tests bundle once per run); otherwise the worker bundles `workflows/`. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Undefined keeps the SDK's heap-based default. */
  maxCachedWorkflows?: number;
  /** SDK worker options (WORKER_TUNING); unset ones keep the SDK's defaults. */
  tuning?: WorkerTuning;
  /** After shutdown() running activities get this long to finish before they are cancelled (handed back). */
  shutdownGraceSeconds?: number;
}

export const WORKFLOWS_PATH = path.resolve(__dirname, '../../workflows/index.ts');

export async function createChatWorker(
  options: ChatWorkerOptions,
): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect(options.connection).catch(async (err: unknown) => {
    throw await temporalConnectError(options.connection, err);
  });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    // Heartbeats carry cancellation to a streaming model call: send them at least every second.
    maxHeartbeatThrottleInterval: '1 second',
    defaultHeartbeatThrottleInterval: '1 second',
    ...options.tuning,
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    shutdownGraceTime: `${options.shutdownGraceSeconds ?? 0} seconds`,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
  });
  return { worker, connection };
}
