import path from 'node:path';
import { startDevServer, type DevServer } from '../../dev/dev-server';
import { freePort } from '../../dev/free-port';
import { ensureTemporalCli } from '../../dev/temporal-cli';

/** A Temporal dev server of the test file's own, on a file database, that a test can restart. */
export interface RestartableDevServer {
  /** `host:port` for TEMPORAL_ADDRESS. */
  address(): string;
  /** Stops the server and starts it again on the same port and database file. */
  restart(): Promise<void>;
  /** Stops the server until `start()`. */
  stop(): Promise<void>;
  /** Starts the stopped server again on the same port and database file. */
  start(): Promise<void>;
}

/** Starts the server before the file's (or describe block's) tests and stops it after them. */
export function useRestartableDevServer(name: string): RestartableDevServer {
  let devServer: DevServer | undefined;
  let cliPath: string;
  let port: number;
  let dbFilename: string;
  beforeAll(async () => {
    cliPath = await ensureTemporalCli(process.env.TEMPORAL_CLI_PATH, () => undefined);
    port = await freePort();
    dbFilename = path.join(process.env.TEST_TMP_DIR as string, `${name}-${port}`, 'temporal.db');
    devServer = await startDevServer({ cliPath, port, dbFilename });
  });
  afterAll(async () => {
    await devServer?.stop();
  });
  return {
    address: () => `127.0.0.1:${port}`,
    restart: async () => {
      await devServer?.stop();
      devServer = await startDevServer({ cliPath, port, dbFilename });
    },
    stop: async () => {
      await devServer?.stop();
      devServer = undefined;
    },
    start: async () => {
      devServer = await startDevServer({ cliPath, port, dbFilename });
    },
  };
}
