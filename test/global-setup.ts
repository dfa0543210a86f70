import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensureRedis } from '../dev/redis-launcher';
import { ensureToxiproxy, startToxiproxy, type ToxiproxyServer } from '../dev/toxiproxy-launcher';
import { WORKFLOWS_PATH } from '../src/temporal/worker';
import { freePort } from '../dev/free-port';
import { TEMPORAL_DYNAMIC_CONFIG } from '../dev/temporal-dynamic-config';
import { pingRedis } from '../src/store/redis-reachability';
import { ensureWebBuild } from '../dev/web-build';
import { createTestDatabase } from './helpers/postgres-test-database';
import { startTestTemporal } from './helpers/temporal-for-tests';

declare global {
  // Handed from setup to teardown (both run in Jest's parent process; test files run in a worker).
  var __TEST_STACK__:
    | {
        /** The dev server, or with TEST_CLUSTER=1 the real server on Postgres (its databases dropped on stop). */
        temporal: { address: string; stop(): Promise<void> };
        toxiproxy: ToxiproxyServer;
        stopRedis: () => Promise<void>;
        /** The run's Postgres database (dropped in teardown); undefined when none was reachable. */
        databaseUrl?: string;
        tmpDir: string;
        logDir: string;
      }
    | undefined;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * One real Temporal dev server (temporary database, free port) and one Redis for the whole
 * run, plus the workflow bundle built once. Tests read their addresses from the environment.
 */
export default async function globalSetup(): Promise<void> {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chat-agent-test-'));
  // Service logs (Temporal runtime, worker, API, child processes) go to one file per test file
  // here, not to the terminal; a failing test prints its tail (test/jest/log-tail-reporter.js).
  const logDir = path.join(tmpDir, 'logs');
  fs.mkdirSync(logDir);
  process.env.TEST_LOG_DIR = logDir;
  delete process.env.TEST_RUN_FAILED; // set by the log-tail reporter (a watch run starts afresh)
  say(`[test] service logs: ${logDir} (kept when a test fails)`);
  // The page tests load the built chat page (npm test builds it first; a direct `npx jest` too).
  ensureWebBuild(say);
  // The fault tests put a real TCP fault proxy between the service and Redis / the model.
  const toxiproxyPath = await ensureToxiproxy(process.env.TOXIPROXY_PATH, say);

  let redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let stopRedis: () => Promise<void> = () => Promise.resolve();
  if (!(await pingRedis(redisUrl))) {
    // Nothing at the usual address: launch a private redis-server on a free port.
    redisUrl = `redis://127.0.0.1:${await freePort()}`;
    const launched = await ensureRedis(redisUrl, true, say);
    stopRedis = () => launched.stop();
  }

  // The archive tests run on SQLite and on a Postgres database of this run's own; without a
  // reachable Postgres their Postgres variants are skipped under a name that says why.
  const database = await createTestDatabase();
  if ('url' in database) process.env.TEST_DATABASE_URL = database.url;
  else {
    delete process.env.TEST_DATABASE_URL;
    process.env.TEST_POSTGRES_UNREACHABLE = database.unreachable;
    say(`[test] Postgres unreachable (${database.unreachable}): its archive variants are skipped`);
  }

  const port = await freePort();
  // The dev server, or with TEST_CLUSTER=1 (`npm run test:cluster`) the real server on Postgres.
  const temporalStarting = startTestTemporal({
    name: path.basename(tmpDir).slice(-6),
    dir: path.join(tmpDir, 'temporal'),
    port,
    // As `npm start` runs it.
    dynamicConfig: TEMPORAL_DYNAMIC_CONFIG,
    log: say,
  });
  const toxiproxyStarting = freePort().then((toxiPort) => startToxiproxy(toxiproxyPath, toxiPort));
  const [temporal, bundle, toxiproxy] = await Promise.all([
    temporalStarting,
    bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: { trace() {}, debug() {}, info() {}, warn: say, error: say, log() {} },
    }),
    toxiproxyStarting,
  ]).catch(async (err: unknown) => {
    // Jest runs no teardown after a failed setup: stop what did start (a cluster's server would outlive the run).
    await Promise.allSettled([temporalStarting.then((t) => t.stop()), toxiproxyStarting.then((t) => t.stop())]);
    await stopRedis();
    throw err;
  });
  const bundlePath = path.join(tmpDir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);

  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.TEST_REDIS_URL = redisUrl;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.TEST_TMP_DIR = tmpDir;
  process.env.TEST_TOXIPROXY_URL = toxiproxy.apiUrl;
  globalThis.__TEST_STACK__ = {
    temporal,
    toxiproxy,
    stopRedis,
    databaseUrl: 'url' in database ? database.url : undefined,
    tmpDir,
    logDir,
  };
}
