import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import Redis from 'ioredis';
import { startDevServer, type DevServer } from '../dev/dev-server';
import { freePort } from '../dev/free-port';
import { stopChild } from '../dev/stop-child';
import { ensureTemporalCli } from '../dev/temporal-cli';
import { WORKFLOWS_PATH } from '../src/temporal/worker';
import { startNodeChild, type StartedChild } from './child-process';
import type { FakeModelConfig } from './fake-model-config';

/**
 * Everything a bench run talks to, each in its own process so CPU and RSS are per part:
 * a Temporal dev server, the fake model, the direct baseline, our worker and our API.
 * Redis is the shared one (REDIS_URL), used under a key prefix of this run only.
 */
export interface BenchStack {
  apiUrl: string;
  baselineUrl: string;
  modelBaseUrl: string;
  redis: Redis;
  keyPrefix: string;
  pids: { api: number; worker: number; temporal: number; model: number; baseline: number };
  temporalCliPath: string;
  temporalAddress: string;
  setModel(config: Partial<FakeModelConfig>): Promise<void>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Extra environment for the worker and API processes (the levers under test). */
  env: Record<string, string>;
  /** Dynamic config of the dev server (e.g. eager activity execution). */
  temporalDynamicConfig: Record<string, unknown>;
  /** Bundle the workflows once here and hand the worker the file (WORKFLOW_BUNDLE_PATH). */
  prebuiltBundle: boolean;
  /** Extra node flags for the worker and API (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Extra node flags for the worker only (e.g. a heap cap). */
  workerNodeArgs?: string[];
  log: (line: string) => void;
}

export async function startBenchStack(options: StackOptions): Promise<BenchStack> {
  const runId = randomUUID().slice(0, 8);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `chat-bench-${runId}-`));
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const keyPrefix = `bench:${runId}:`;
  const started: StartedChild[] = [];
  let devServer: DevServer | undefined;
  const redis = new Redis(redisUrl, { connectionName: 'chat-bench' });
  const stop = async () => {
    for (const child of started.reverse()) await stopChild(child.child);
    await devServer?.stop();
    // Our keys only: never FLUSHDB a shared Redis.
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const temporalCliPath = await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH, options.log);
    const temporalPort = await freePort();
    options.log(`[bench] starting Temporal dev server (in-memory) on ${temporalPort}`);
    devServer = await startDevServer({
      cliPath: temporalCliPath,
      port: temporalPort,
      dynamicConfig: options.temporalDynamicConfig,
      log: options.log,
    });
    const model = await startNodeChild('bench/fake-model-server.ts', [], {}, /READY (\S+)/);
    started.push(model);
    const baseline = await startNodeChild(
      'bench/baseline-server.ts',
      [],
      { MODEL_BASE_URL: model.ready },
      /READY (\S+)/,
    );
    started.push(baseline);
    const apiPort = await freePort();
    const bundleEnv: Record<string, string> = {};
    if (options.prebuiltBundle) {
      const bundle = await bundleWorkflowCode({
        workflowsPath: WORKFLOWS_PATH,
        logger: { trace() {}, debug() {}, info() {}, warn: options.log, error: options.log, log() {} },
      });
      bundleEnv.WORKFLOW_BUNDLE_PATH = path.join(dir, 'workflow-bundle.js');
      fs.writeFileSync(bundleEnv.WORKFLOW_BUNDLE_PATH, bundle.code);
    }
    const env: Record<string, string> = {
      TEMPORAL_ADDRESS: devServer.address,
      TEMPORAL_TASK_QUEUE: `bench-${runId}`,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: keyPrefix,
      REDIS_AUTOSTART: 'false',
      DATA_DIR: dir,
      LLM_BASE_URL: model.ready,
      LLM_API_KEY: 'bench',
      LLM_MODEL: 'bench-model',
      WEATHER_PROVIDER: 'offline',
      RATE_LIMIT_REQUESTS: '0',
      RATE_LIMIT_MESSAGES: '0',
      LOG_LEVEL: 'warn',
      PORT: String(apiPort),
      ...bundleEnv,
      ...options.env,
    };
    options.log('[bench] starting worker and API processes');
    const worker = await startNodeChild('src/main.ts', ['worker'], env, /Temporal:\s+(\S+)/, [
      ...(options.nodeArgs ?? []),
      ...(options.workerNodeArgs ?? []),
    ]);
    started.push(worker);
    const api = await startNodeChild('src/main.ts', ['api'], env, /API:\s+(\S+)/, options.nodeArgs);
    started.push(api);
    return {
      apiUrl: api.ready,
      baselineUrl: baseline.ready,
      modelBaseUrl: model.ready,
      redis,
      keyPrefix,
      pids: {
        api: api.pid,
        worker: worker.pid,
        temporal: devServer.process.pid as number,
        model: model.pid,
        baseline: baseline.pid,
      },
      temporalCliPath,
      temporalAddress: devServer.address,
      async setModel(config) {
        const res = await fetch(`${model.ready.replace(/\/v1$/, '')}/__config`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(config),
        });
        if (!res.ok) throw new Error(`fake model config failed: ${res.status}`);
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
