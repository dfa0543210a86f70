import fs from 'node:fs';
import path from 'node:path';
import { startDevServer } from '../../dev/dev-server';
import { freePort } from '../../dev/free-port';
import { ensureTemporalCli } from '../../dev/temporal-cli';
import { startTemporalCluster } from '../../dev/temporal-cluster';
import { ensureTemporalServerTools } from '../../dev/temporal-server';

export interface TestTemporal {
  address: string;
  stop(): Promise<void>;
}

/** `npm run test:cluster` sets it: every Temporal the tests start is the real server on Postgres. */
const onCluster = () => process.env.TEST_CLUSTER === '1';

/**
 * A Temporal server for tests: the dev server on a file database in `dir`, or with TEST_CLUSTER=1 the pinned
 * Temporal server on Postgres, on databases of its own (`chat_test_cluster_<name>_…`) dropped when it stops.
 */
export async function startTestTemporal(options: {
  name: string;
  dir: string;
  port?: number;
  dynamicConfig?: Record<string, unknown>;
  log?: (line: string) => void;
}): Promise<TestTemporal> {
  const log = options.log ?? (() => undefined);
  const cliPath = await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH, log);
  const port = options.port ?? (await freePort());
  fs.mkdirSync(options.dir, { recursive: true });
  if (!onCluster()) {
    const server = await startDevServer({
      cliPath,
      port,
      dbFilename: path.join(options.dir, 'temporal.db'),
      dynamicConfig: options.dynamicConfig,
      log,
    });
    return { address: server.address, stop: () => server.stop() };
  }
  const tools = await ensureTemporalServerTools(log);
  const cluster = await startTemporalCluster({
    tools,
    cliPath,
    postgresUrl: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    databasePrefix: `chat_test_cluster_${options.name.toLowerCase().replace(/[^a-z0-9]/g, '_')}`,
    port,
    namespace: 'default',
    dir: options.dir,
    dynamicConfig: options.dynamicConfig,
    log,
  });
  log(`[test] Temporal cluster on ${cluster.address}, log ${cluster.logFile}`);
  return {
    address: cluster.address,
    async stop() {
      await cluster.stop();
      cluster.dropDatabases();
    },
  };
}
