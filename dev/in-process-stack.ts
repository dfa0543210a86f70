import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { startApi } from '../src/api-process';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { openInfrastructure } from '../src/process/infrastructure';
import { createTemporalClient } from '../src/temporal/client';
import { startWorker } from '../src/worker-process';

export interface InProcessStackOptions {
  temporalAddress: string;
  redisUrl: string;
  /** A prebuilt workflow bundle: the worker starts in seconds instead of bundling. */
  workflowBundlePath: string;
  llmBaseUrl: string;
  /** Further settings (the config keys), over the defaults below. */
  env?: Record<string, string>;
}

export interface InProcessStack {
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
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `chat-stack-${id}-`));
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_TASK_QUEUE: `stack-${id}`,
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: `stack:${id}:`,
    LLM_BASE_URL: options.llmBaseUrl,
    LLM_API_KEY: 'fake-key',
    LLM_MODEL: 'fake-model',
    LLM_PRICE_INPUT_PER_1M: '1',
    LLM_PRICE_OUTPUT_PER_1M: '2',
    WEATHER_PROVIDER: 'offline',
    RATE_LIMIT_REQUESTS: '0',
    RATE_LIMIT_MESSAGES: '0',
    WORKER_SHUTDOWN_GRACE_SECONDS: '0',
    ...options.env,
  });
  const logger = createLogger(config.LOG_LEVEL);
  const infra = await openInfrastructure(config, 'stack');
  const worker = await startWorker(config, infra, logger, options.temporalAddress, {
    codePath: options.workflowBundlePath,
  });
  const api = await startApi(config, infra, logger, options.temporalAddress);
  const { client, connection } = await createTemporalClient(options.temporalAddress, config.TEMPORAL_NAMESPACE);
  return {
    client,
    url: (pathname) => `${api.url}${pathname}`,
    async stop() {
      await api.stop();
      await worker.stop();
      await connection.close();
      const keys = await infra.redis.keys(`${config.REDIS_KEY_PREFIX}*`);
      if (keys.length > 0) await infra.redis.del(...keys);
      await infra.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
