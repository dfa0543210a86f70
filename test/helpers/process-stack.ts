import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../dev/free-port';
import { childLogFile, noteInTestLog } from './test-log';
import { waitUntil } from './wait-for';

/**
 * Real `node src/main.ts api|worker` child processes for crash and shutdown tests: each gets
 * an environment of its own (task queue, Redis key prefix, data dir shared by the processes
 * of one stack), its output is collected (and written to a file beside the test file's log, whose
 * tail a failing test shows), and it can be killed with any signal.
 */
const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'src', 'main.ts');

export type Role = 'api' | 'worker';

export interface RoleProcess {
  role: Role;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code / signal once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  /** Resolves when the output matches `pattern` (rejects if the process exits or the deadline passes). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export class ProcessStartError extends Error {
  override name = 'ProcessStartError';
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest's global setup.`);
  return value;
}

/** Environment shared by the API and worker processes of one test stack. */
export interface ProcessStackEnv {
  env: Record<string, string>;
  prefix: string;
  dataDir: string;
  sqliteFilename: string;
}

export function processStackEnv(llmBaseUrl: string, overrides: Record<string, string> = {}): ProcessStackEnv {
  const id = randomUUID().slice(0, 8);
  const dataDir = fs.mkdtempSync(path.join(required('TEST_TMP_DIR'), `proc-${id}-`));
  const prefix = `test:proc:${id}:`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: required('TEST_TEMPORAL_ADDRESS'),
    TEMPORAL_TASK_QUEUE: `proc-${id}`,
    REDIS_URL: required('TEST_REDIS_URL'),
    REDIS_KEY_PREFIX: prefix,
    REDIS_AUTOSTART: 'false',
    // The bundle global setup built once: a worker process starts in seconds instead of bundling.
    WORKFLOW_BUNDLE_PATH: required('TEST_WORKFLOW_BUNDLE'),
    LLM_BASE_URL: llmBaseUrl,
    LLM_API_KEY: 'test-key',
    LLM_MODEL: 'fake-model',
    WEATHER_PROVIDER: 'offline',
    RATE_LIMIT_REQUESTS: '0',
    RATE_LIMIT_MESSAGES: '0',
    ...(process.env.TEMPORAL_CLI_PATH ? { TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH } : {}),
    ...overrides,
  };
  return { env, prefix, dataDir, sqliteFilename: path.join(dataDir, 'chat.db') };
}

export function spawnRole(role: Role, env: Record<string, string>): RoleProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, role], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logFile = childLogFile(`${role}-${child.pid}`);
  if (logFile) noteInTestLog(`child ${role}-${child.pid} started, output in ${logFile}`);
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (logFile) fs.appendFileSync(logFile, chunk);
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      noteInTestLog(`child ${role}-${child.pid} exited (${signal ?? `code ${code}`})`);
      resolve({ code, signal });
      for (const listener of listeners) listener();
    });
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  return {
    role,
    child,
    output: () => output,
    exited,
    kill(signal) {
      if (!gone) child.kill(signal);
    },
    waitForOutput(pattern, timeoutMs = 120_000) {
      return new Promise<void>((resolve, reject) => {
        const done = (err?: Error) => {
          listeners.delete(check);
          clearTimeout(timer);
          if (err) reject(err);
          else resolve();
        };
        const check = () => {
          if (pattern.test(output)) done();
          else if (gone)
            done(new ProcessStartError(`${role} exited before printing ${pattern}:\n${output.slice(-3000)}`));
        };
        const timer = setTimeout(
          () =>
            done(
              new ProcessStartError(`${role} did not print ${pattern} within ${timeoutMs} ms:\n${output.slice(-3000)}`),
            ),
          timeoutMs,
        );
        listeners.add(check);
        check();
      });
    },
  };
}

/** A worker process, resolved once it polls its task queue (it bundles the workflows first). */
export async function startWorkerProcess(env: Record<string, string>): Promise<RoleProcess> {
  const worker = spawnRole('worker', env);
  await worker.waitForOutput(/"msg":"worker running"/, 180_000);
  return worker;
}

/** An API process on a fixed port (so a restarted API answers at the same URL), resolved once /health answers. */
export async function startApiProcess(
  env: Record<string, string>,
  port?: number,
): Promise<{ api: RoleProcess; url: string; port: number }> {
  const chosen = port ?? (await freePort());
  const api = spawnRole('api', { ...env, PORT: String(chosen) });
  await api.waitForOutput(/"msg":"API listening"/, 120_000);
  const url = `http://127.0.0.1:${chosen}`;
  await waitUntil(
    async () => {
      if (api.child.exitCode !== null || api.child.signalCode !== null)
        throw new ProcessStartError(`api exited before /health answered:\n${api.output().slice(-3000)}`);
      return (await fetch(`${url}/health`)).status;
    },
    (status) => status < 500,
    { timeoutMs: 60_000, intervalMs: 200, what: `${url}/health to answer below 500` },
  );
  return { api, url, port: chosen };
}

/** SIGKILL (no cleanup at all, like a crashed host) and wait until the process is gone. */
export async function killHard(proc: RoleProcess): Promise<void> {
  proc.kill('SIGKILL');
  await proc.exited;
}

/** Lines that must never appear in a process's output, crash or shutdown. */
export const UNHANDLED_PATTERN =
  /uncaughtException|unhandledRejection|UnhandledPromiseRejection|Unhandled promise rejection/i;

/** None of the processes logged an unhandled rejection or an uncaught exception. */
export function expectNoUnhandled(...procs: RoleProcess[]): void {
  for (const proc of procs) expect(proc.output()).not.toMatch(UNHANDLED_PATTERN);
}
