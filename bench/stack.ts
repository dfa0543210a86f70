import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import Redis from 'ioredis';
import { startDevServer } from '../dev/dev-server';
import { freePort } from '../dev/free-port';
import { stopChild } from '../dev/stop-child';
import { ensureTemporalCli } from '../dev/temporal-cli';
import { startTemporalCluster } from '../dev/temporal-cluster';
import { ensureTemporalServerTools } from '../dev/temporal-server';
import { WORKFLOWS_PATH } from '../src/temporal/worker';
import { startNodeChild, type StartedChild } from './child-process';
import type { FakeModelConfig } from './fake-model-config';

/**
 * Everything a bench run talks to, each in its own process so CPU and RSS are per part:
 * a Temporal dev server (or with `cluster` the real server on Postgres), the fake model, the direct
 * baseline, our worker(s) and our API. Redis is the shared one (REDIS_URL), under a key prefix of this run.
 */
export interface BenchStack {
  apiUrl: string;
  baselineUrl: string;
  modelBaseUrl: string;
  redis: Redis;
  keyPrefix: string;
  /** `worker` is the first worker; more are `worker_2`, `worker_3`, … */
  pids: { api: number; worker: number; temporal: number; model: number; baseline: number } & Record<string, number>;
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
  /**
   * The pinned Temporal server on Postgres (databases of this run, dropped at the end) instead of the dev
   * server, the archive in Postgres too, and this many worker processes.
   */
  cluster?: { workers: number; postgresUrl: string };
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
  let temporal: { address: string; pid: number; stop(): Promise<void> } | undefined;
  const redis = new Redis(redisUrl, { connectionName: 'chat-bench' });
  const stop = async () => {
    for (const child of started.reverse()) await stopChild(child.child);
    await temporal?.stop();
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
    const archiveEnv: Record<string, string> = {};
    if (options.cluster) {
      const { postgresUrl } = options.cluster;
      options.log(`[bench] starting the Temporal server on Postgres on ${temporalPort}`);
      const cluster = await startTemporalCluster({
        tools: await ensureTemporalServerTools(options.log),
        cliPath: temporalCliPath,
        postgresUrl,
        databasePrefix: `chat_bench_${runId}`,
        port: temporalPort,
        namespace: 'default',
        dir,
        dynamicConfig: options.temporalDynamicConfig,
        log: options.log,
      });
      const archive = `chat_bench_${runId}_archive`;
      cluster.createDatabase(archive);
      const url = new URL(postgresUrl);
      url.pathname = `/${archive}`;
      archiveEnv.DATABASE_URL = url.toString();
      temporal = {
        address: cluster.address,
        pid: cluster.process.pid as number,
        async stop() {
          await cluster.stop();
          cluster.dropDatabases([archive]);
        },
      };
    } else {
      options.log(`[bench] starting Temporal dev server (in-memory) on ${temporalPort}`);
      const devServer = await startDevServer({
        cliPath: temporalCliPath,
        port: temporalPort,
        dynamicConfig: options.temporalDynamicConfig,
        log: options.log,
      });
      temporal = { address: devServer.address, pid: devServer.process.pid as number, stop: () => devServer.stop() };
    }
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
      TEMPORAL_ADDRESS: temporal.address,
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
      ...archiveEnv,
      ...options.env,
    };
    const workerCount = options.cluster?.workers ?? 1;
    options.log(`[bench] starting ${workerCount} worker process(es) and the API`);
    const workerPids: Record<string, number> = {};
    // One after the other: the first runs the archive migrations (a race on a fresh database hits Knex's lock).
    for (let i = 1; i <= workerCount; i++) {
      const worker = await startNodeChild('src/main.ts', ['worker'], env, /Temporal:\s+(\S+)/, [
        ...(options.nodeArgs ?? []),
        ...(options.workerNodeArgs ?? []),
      ]);
      started.push(worker);
      workerPids[i === 1 ? 'worker' : `worker_${i}`] = worker.pid;
    }
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
        worker: workerPids.worker,
        ...workerPids,
        temporal: temporal.pid,
        model: model.pid,
        baseline: baseline.pid,
      },
      temporalCliPath,
      temporalAddress: temporal.address,
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
