import { startInProcessStack, type InProcessStack } from '../../dev/in-process-stack';
import type { Logger } from '../../src/logger';
import { testLogDestination, testLogLevel } from './test-log';

/**
 * A real stack for integration and e2e tests: the run's Temporal dev server and Redis (from
 * global setup), a fresh SQLite file, its own task queue and Redis key prefix, a worker and
 * an API on port 0 (dev/in-process-stack.ts). Only the model is a stand-in: `llmBaseUrl`
 * points at a scripted server. Its service logs go to this test file's log.
 */
export type TestStack = InProcessStack;

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

export function startTestStack(options: TestStackOptions): Promise<TestStack> {
  return startInProcessStack({
    name: 'test',
    tmpDir: required('TEST_TMP_DIR'),
    temporalAddress: required('TEST_TEMPORAL_ADDRESS'),
    redisUrl: required('TEST_REDIS_URL'),
    workflowBundlePath: required('TEST_WORKFLOW_BUNDLE'),
    llmBaseUrl: options.llmBaseUrl,
    env: { LLM_API_KEY: 'test-key', ...options.env },
    logLevel: testLogLevel(),
    logDestination: testLogDestination(),
    logger: options.logger,
    worker: options.worker,
  });
}
