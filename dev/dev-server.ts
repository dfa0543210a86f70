import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { CHAT_SEARCH_ATTRIBUTES } from '../src/contract/search-attributes';
import { stopChild } from './stop-child';

export interface DevServerOptions {
  cliPath: string;
  port: number;
  /** Web UI port; undefined runs headless. */
  uiPort?: number;
  /** SQLite file for Temporal's state, so sessions survive a restart; undefined keeps it in memory. */
  dbFilename?: string;
  namespace?: string;
  dynamicConfig?: Record<string, unknown>;
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  process: ChildProcess;
  stop(): Promise<void>;
}

class DevServerStartError extends Error {
  override name = 'DevServerStartError';
}

/** Launches `temporal server start-dev` and resolves once its frontend answers (or fails clearly). */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'error'];
  if (options.uiPort !== undefined) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.dbFilename) {
    fs.mkdirSync(path.dirname(path.resolve(options.dbFilename)), { recursive: true });
    args.push('--db-filename', options.dbFilename);
  }
  if (options.namespace && options.namespace !== 'default') args.push('--namespace', options.namespace);
  // The session workflow sets these; a dev server only accepts attributes registered at launch.
  for (const [key, type] of Object.entries(CHAT_SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${key}=${type}`);
  for (const [key, value] of Object.entries(options.dynamicConfig ?? {}))
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);

  const child = spawn(options.cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited: number | null | undefined;
  child.on('exit', (code) => {
    exited = code;
  });

  const address = `127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let lastError: unknown;
  let nextReport = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new DevServerStartError(
        `temporal server start-dev exited with code ${exited} before it was ready:\n${output.trim()}`,
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        await connection.workflowService.describeNamespace({ namespace: options.namespace ?? 'default' });
      } finally {
        await connection.close();
      }
      return {
        address,
        uiUrl: options.uiPort !== undefined ? `http://127.0.0.1:${options.uiPort}` : undefined,
        process: child,
        stop: () => stopChild(child),
      };
    } catch (err) {
      lastError = err;
      if (Date.now() > nextReport) {
        options.log?.(`[temporal] waiting for the dev server on ${address}...`);
        nextReport = Date.now() + 5000;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  await stopChild(child);
  throw new DevServerStartError(
    `Temporal dev server was not ready on ${address} within ${(options.readyTimeoutMs ?? 60_000) / 1000} s: ${String(lastError)}\n${output.trim()}`,
  );
}
