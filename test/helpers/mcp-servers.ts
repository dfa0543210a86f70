import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { McpStatusStore, type McpServerView } from '../../src/store/mcp-status-store';
import type { FakeReply, FakeToolCall, RecordedRequest } from './fake-openai-server';
import type { TestStack } from './test-stack';
import { waitFor } from './wait-for';

/** The real MCP servers from npm (dev dependencies), started from node_modules, never fetched. */
const serverEntry = (name: string) =>
  path.resolve(__dirname, `../../node_modules/@modelcontextprotocol/server-${name}/dist/index.js`);

export const everythingStdio = () => ({ command: process.execPath, args: [serverEntry('everything'), 'stdio'] });
export const filesystemStdio = (dir: string) => ({ command: process.execPath, args: [serverEntry('filesystem'), dir] });
export const memoryStdio = (file: string) => ({
  command: process.execPath,
  args: [serverEntry('memory')],
  env: { MEMORY_FILE_PATH: file },
});

export interface StdioServer {
  command: string;
  args: string[];
}

/** `server` behind test/helpers/mcp-stdio-tap.mjs: unchanged on the wire, every JSON-RPC message logged to `logFile`. */
export const tappedStdio = (server: StdioServer, logFile: string): StdioServer => ({
  command: process.execPath,
  args: [path.resolve(__dirname, 'mcp-stdio-tap.mjs'), logFile, server.command, ...server.args],
});

export interface TappedMessage {
  to: 'server' | 'client';
  message: { id?: string | number; method?: string; params?: Record<string, unknown> };
}

/** The messages the tap has forwarded so far, in order (empty before the first one). */
export async function tapLog(logFile: string): Promise<TappedMessage[]> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as TappedMessage);
}

export type ToolMessage = { role: string; content: string | null; tool_call_id?: string };
export const toolMessages = (request: RecordedRequest) =>
  request.body.messages.filter((m) => m.role === 'tool') as ToolMessage[];

/** First request: the given tool calls; afterwards: echo the tool results back as the answer. */
export function callsThenEcho(calls: FakeToolCall[]) {
  return (request: RecordedRequest): FakeReply => {
    const results = toolMessages(request);
    if (results.length === 0) return { tool_calls: calls };
    return { content: `results: ${results.map((m) => m.content).join(' | ')}` };
  };
}

/** The stack's worker's view of one MCP server, as it reports it to Redis for /health. */
export async function mcpServerView(stack: TestStack, server: string): Promise<McpServerView | undefined> {
  const reports = await new McpStatusStore(stack.infra.redis, stack.infra.keys).all();
  return reports.flatMap((r) => r.servers).find((s) => s.server === server);
}

/** Waits until the server is connected with a process id other than `not` (a restarted process). */
export function connectedPid(stack: TestStack, server: string, not?: number): Promise<number> {
  return waitFor(
    async () => {
      const view = await mcpServerView(stack, server);
      return view?.state === 'connected' && view.pid !== undefined && view.pid !== not ? view.pid : undefined;
    },
    { timeoutMs: 30_000, what: `${server} connected` },
  );
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface HttpEverything {
  url: string;
  stop(): Promise<void>;
}

/** server-everything in its Streamable HTTP mode on `port` (`node dist/index.js streamableHttp`). */
export async function startEverythingHttp(port: number): Promise<HttpEverything> {
  const child: ChildProcess = spawn(process.execPath, [serverEntry('everything'), 'streamableHttp'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`server-everything exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
