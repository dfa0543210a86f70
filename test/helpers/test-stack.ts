import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, type Config } from '../../src/config';
import { openInfrastructure, type Infrastructure } from '../../src/process/infrastructure';
import { createLogger, type Logger } from '../../src/logger';
import { startApi, type RunningApi } from '../../src/api-process';
import type { RunningRole } from '../../src/process/running-role';
import { startWorker } from '../../src/worker-process';
import { testLogDestination, testLogLevel } from './test-log';

/**
 * A real stack for integration and e2e tests: the run's Temporal dev server and Redis (from
 * global setup), a fresh SQLite file, its own task queue and Redis key prefix, a worker and
 * an API on port 0. Only the model is a stand-in: `llmBaseUrl` points at a scripted server.
 */
export interface TestStack {
  config: Config;
  infra: Infrastructure;
  api: RunningApi;
  client: Client;
  url(pathname: string): string;
  stop(): Promise<void>;
}

export interface TestStackOptions {
  llmBaseUrl: string;
  env?: Record<string, string>;
  /** Start the worker (default true); false lets a test run an API with no worker. */
  worker?: boolean;
  /** Log here instead of this test file's log at TEST_LOG_LEVEL (e.g. to capture the lines). */
  logger?: Logger;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest's global setup (npm test).`);
  return value;
}

export async function startTestStack(options: TestStackOptions): Promise<TestStack> {
  const id = randomUUID().slice(0, 8);
  const dir = fs.mkdtempSync(path.join(required('TEST_TMP_DIR'), `stack-${id}-`));
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: testLogLevel(),
    DATA_DIR: dir,
    TEMPORAL_ADDRESS: required('TEST_TEMPORAL_ADDRESS'),
    TEMPORAL_TASK_QUEUE: `test-${id}`,
    REDIS_URL: required('TEST_REDIS_URL'),
    REDIS_KEY_PREFIX: `test:${id}:`,
    LLM_BASE_URL: options.llmBaseUrl,
    LLM_API_KEY: 'test-key',
    LLM_MODEL: 'fake-model',
    LLM_PRICE_INPUT_PER_1M: '1',
    LLM_PRICE_OUTPUT_PER_1M: '2',
    WEATHER_PROVIDER: 'offline',
    // Every test request comes from 127.0.0.1: limits are off unless a test sets them.
    RATE_LIMIT_REQUESTS: '0',
    RATE_LIMIT_MESSAGES: '0',
    // Stopping a test stack cancels running activities at once, as before the grace time existed.
    WORKER_SHUTDOWN_GRACE_SECONDS: '0',
    ...options.env,
  });
  const logger = options.logger ?? createLogger(config.LOG_LEVEL, {}, testLogDestination());
  const infra = await openInfrastructure(config, 'test');
  const roles: RunningRole[] = [];
  if (options.worker !== false) {
    roles.push(
      await startWorker(config, infra, logger, config.TEMPORAL_ADDRESS as string, {
        codePath: required('TEST_WORKFLOW_BUNDLE'),
      }),
    );
  }
  const api = await startApi(config, infra, logger, config.TEMPORAL_ADDRESS as string);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS as string });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  return {
    config,
    infra,
    api,
    client,
    url: (pathname) => `${api.url}${pathname}`,
    async stop() {
      await api.stop();
      for (const role of roles) await role.stop();
      await connection.close();
      const keys = await infra.redis.keys(`${config.REDIS_KEY_PREFIX}*`);
      if (keys.length > 0) await infra.redis.del(...keys);
      await infra.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** POSTs JSON (or a raw string body) and returns status and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
