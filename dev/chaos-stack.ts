import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { estimateTokens } from '../src/llm/chat-completion-encoder';
import { WORKFLOWS_PATH } from '../src/temporal/worker';
import { startDevServer, type DevServer } from './dev-server';
import { startFakeModelServer, type FakeModelRequest } from './fake-model-server';
import { freePort } from './free-port';
import { API_READY, spawnRole, WORKER_READY, type RoleProcess } from './role-process';
import { stopChild } from './stop-child';
import { ensureTemporalCli } from './temporal-cli';

/**
 * The chaos run's real stack (scripts/chaos.ts): a Temporal dev server on a file database that
 * can be restarted on the same file and port, one API and two worker processes
 * (`node --import tsx src/main.ts api|worker`) whose output goes to log files, and a streaming
 * scripted model that calls the calculator for "calculate …".
 */
/** The scripted model: echoes, or calls the calculator and answers with its result. */
function chaosAnswer(request: FakeModelRequest) {
  const messages = request.messages ?? [];
  const last = messages[messages.length - 1];
  const model = request.model ?? 'chaos-model';
  const prompt_tokens = estimateTokens(messages.map((m) => m.content ?? '').join(' '));
  if (last?.role === 'tool') {
    const parsed = JSON.parse(last.content ?? '{}') as { result?: unknown; error?: string };
    const content = parsed.error ? `The calculator failed: ${parsed.error}` : `The answer is ${String(parsed.result)}.`;
    return { reply: { model, content, prompt_tokens, completion_tokens: estimateTokens(content) }, chunkDelayMs: 20 };
  }
  const match = /calculate\s+(.+)$/i.exec(last?.content ?? '');
  if (match && request.tools?.some((t) => t.function?.name === 'calculator')) {
    const tool_calls = [{ name: 'calculator', arguments: JSON.stringify({ expression: match[1] }) }];
    return { reply: { model, tool_calls, prompt_tokens, completion_tokens: 12 } };
  }
  const content = `You said: ${last?.content ?? ''}. ${'streaming word by word '.repeat(4).trim()}`;
  return { reply: { model, content, prompt_tokens, completion_tokens: estimateTokens(content) }, chunkDelayMs: 20 };
}

export interface ChaosStack {
  apiUrl: string;
  sqliteFilename: string;
  redisPrefix: string;
  /** Indices of the worker slots whose process is up (polling). */
  readyWorkers(): number[];
  /** Resolves once every worker slot has its process up again. */
  allWorkersReady(): Promise<void>;
  /** SIGKILLs worker `index` (resolved once it is gone) and starts another in its place, in the background. */
  killWorker(index: number): Promise<void>;
  restartTemporal(): Promise<void>;
  stop(): Promise<void>;
}

export interface ChaosStackOptions {
  dir: string;
  redisUrl: string;
  log: (line: string) => void;
}

export async function startChaosStack({ dir, redisUrl, log }: ChaosStackOptions): Promise<ChaosStack> {
  const cliPath = await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH, log);
  const temporalPort = await freePort();
  const dbFilename = path.join(dir, 'temporal.db');
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  log('[chaos] starting the Temporal dev server (file database), the model, and bundling the workflows...');
  const [firstServer, model, bundle] = await Promise.all([
    startDevServer({ cliPath, port: temporalPort, dbFilename, log }),
    startFakeModelServer({ answer: chaosAnswer }),
    bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: { trace() {}, debug() {}, info() {}, warn: log, error: log, log() {} },
    }),
  ]);
  let devServer: DevServer = firstServer;
  let devServerStopped = false;
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);
  const prefix = `chaos:${path.basename(dir)}:`;
  const apiPort = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: devServer.address,
    TEMPORAL_TASK_QUEUE: `chaos-${path.basename(dir)}`,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    REDIS_AUTOSTART: 'false',
    WORKFLOW_BUNDLE_PATH: bundlePath,
    LLM_BASE_URL: model.baseUrl,
    LLM_API_KEY: 'chaos-key',
    LLM_MODEL: 'chaos-model',
    WEATHER_PROVIDER: 'offline',
    RATE_LIMIT_REQUESTS: '0',
    RATE_LIMIT_MESSAGES: '0',
    PORT: String(apiPort),
  };

  let spawned = 0;
  const startWorker = () => spawnRole('worker', env, path.join(dir, `worker-${++spawned}.log`), WORKER_READY);
  // One after the other: the first runs the migrations (processes racing on a fresh database hit Knex's migration lock).
  const slots: Array<{ proc?: RoleProcess; starting?: Promise<void> }> = [{ proc: await startWorker() }];
  slots.push({ proc: await startWorker() });
  let stopping = false;
  /** Starts a worker in `slot` again, retrying while it cannot start (e.g. the dev server is restarting). */
  const restart = (slot: (typeof slots)[number]) => {
    slot.starting = (async () => {
      while (!stopping) {
        try {
          slot.proc = await startWorker();
          return;
        } catch (err) {
          log(`[chaos] a worker did not start, retrying: ${String(err).slice(0, 300)}`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    })();
  };
  const api = await spawnRole('api', env, path.join(dir, `api-${++spawned}.log`), API_READY);
  log(
    `[chaos] stack up: API on http://127.0.0.1:${apiPort}, 2 workers, Temporal on ${devServer.address}, logs in ${dir}`,
  );

  return {
    apiUrl: `http://127.0.0.1:${apiPort}`,
    sqliteFilename: path.join(dataDir, 'chat.db'),
    redisPrefix: prefix,
    readyWorkers: () => slots.flatMap((slot, i) => (slot.proc ? [i] : [])),
    async allWorkersReady() {
      await Promise.all(slots.flatMap((slot) => (slot.starting ? [slot.starting] : [])));
    },
    async killWorker(index) {
      const victim = slots[index].proc;
      if (!victim) return;
      slots[index].proc = undefined;
      victim.child.kill('SIGKILL');
      await victim.exited;
      restart(slots[index]);
    },
    async restartTemporal() {
      devServerStopped = true;
      await devServer.stop();
      devServer = await startDevServer({ cliPath, port: temporalPort, dbFilename, log });
      devServerStopped = false;
    },
    async stop() {
      stopping = true;
      await Promise.all(slots.flatMap((slot) => (slot.starting ? [slot.starting] : [])));
      const procs = [api, ...slots.flatMap((slot) => (slot.proc ? [slot.proc] : []))];
      await Promise.all(procs.map((p) => stopChild(p.child, 5000)));
      if (!devServerStopped) await devServer.stop();
      await model.close();
    },
  };
}
