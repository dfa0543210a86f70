import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { startApi, type RunningApi } from '../src/api-process';
import { loadConfig, type Config } from '../src/config';
import { createLogger, type DestinationStream, type Logger } from '../src/logger';
import { openInfrastructure, type Infrastructure } from '../src/process/infrastructure';
import type { RunningRole } from '../src/process/running-role';
import { createTemporalClient } from '../src/temporal/client';
import { temporalConnectionOf } from '../src/temporal/temporal-connection';
import { startWorker } from '../src/worker-process';

export interface InProcessStackOptions {
  temporalAddress: string;
  redisUrl: string;
  /** A prebuilt workflow bundle: the worker starts in seconds instead of bundling. */
  workflowBundlePath: string;
  llmBaseUrl: string;
  /** Further settings (the config keys), over the defaults below; TEMPORAL_ADDRESS here wins over `temporalAddress`. */
  env?: Record<string, string>;
  /** Names the task queue (`<name>-<id>`), the Redis key prefix (`<name>:<id>:`) and the Redis connection (default `stack`). */
  name?: string;
  /** Where the stack's SQLite directory is made (default: the OS temp directory). */
  tmpDir?: string;
  /** LOG_LEVEL unless `env` sets it (default `silent`). */
  logLevel?: string;
  /** Where the stack's logger writes (default: the process's, see createLogger). */
  logDestination?: DestinationStream;
  /** A logger to use instead of one made from the level and destination above. */
  logger?: Logger;
  /** Start the worker (default true); false runs an API with no worker. */
  worker?: boolean;
}

export interface InProcessStack {
  config: Config;
  infra: Infrastructure;
  api: RunningApi;
  client: Client;
  url(pathname: string): string;
  stop(): Promise<void>;
}

/**
 * A worker and an API in this process, on a Temporal server and a Redis that already run, with a
 * task queue, a Redis key prefix and a SQLite file of their own; removes its keys and files on stop.
 */
export async function startInProcessStack(options: InProcessStackOptions): Promise<InProcessStack> {
  const id = randomUUID().slice(0, 8);
  const name = options.name ?? 'stack';
  const dataDir = fs.mkdtempSync(path.join(options.tmpDir ?? os.tmpdir(), `chat-${name}-${id}-`));
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: options.logLevel ?? 'silent',
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: `${name}-${id}`,
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: `${name}:${id}:`,
    LLM_BASE_URL: options.llmBaseUrl,
    LLM_API_KEY: 'fake-key',
    LLM_MODEL: 'fake-model',
    LLM_PRICE_INPUT_PER_1M: '1',
    LLM_PRICE_OUTPUT_PER_1M: '2',
    WEATHER_PROVIDER: 'offline',
    // Every request comes from 127.0.0.1: limits are off unless the caller sets them.
    RATE_LIMIT_REQUESTS: '0',
    RATE_LIMIT_MESSAGES: '0',
    // Stopping the stack cancels running activities at once.
    WORKER_SHUTDOWN_GRACE_SECONDS: '0',
    ...options.env,
  });
  const temporalAddress = config.TEMPORAL_ADDRESS ?? options.temporalAddress;
  const logger = options.logger ?? createLogger(config.LOG_LEVEL, {}, options.logDestination);
  const infra = await openInfrastructure(config, name);
  const roles: RunningRole[] = [];
  let api: RunningApi | undefined;
  let temporal: Awaited<ReturnType<typeof createTemporalClient>>;
  try {
    if (options.worker !== false) {
      roles.push(await startWorker(config, infra, logger, temporalAddress, { codePath: options.workflowBundlePath }));
    }
    api = await startApi(config, infra, logger, temporalAddress);
    temporal = await createTemporalClient(temporalConnectionOf(config, temporalAddress), config.TEMPORAL_NAMESPACE);
  } catch (err) {
    // A stack that fails to start (e.g. Temporal refuses the connection) leaves nothing open behind it.
    for (const role of [api, ...roles]) await role?.stop().catch(() => undefined);
    await infra.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const { client, connection } = temporal;
  const running = api;
  return {
    config,
    infra,
    api: running,
    client,
    url: (pathname) => `${running.url}${pathname}`,
    async stop() {
      await running.stop();
      for (const role of roles) await role.stop();
      await connection.close();
      const keys = await infra.redis.keys(`${config.REDIS_KEY_PREFIX}*`);
      if (keys.length > 0) await infra.redis.del(...keys);
      await infra.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
