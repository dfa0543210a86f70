import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type CallToolResult, type Progress, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../logger';
import { isStdioServer, type McpServerConfig } from './mcp-server-config';

export type McpConnectionState = 'connecting' | 'connected' | 'down' | 'closed';

/** The server is not connected and did not come back in time: the call never reached it. */
export class McpServerDownError extends Error {
  override name = 'McpServerDownError';
}

/** The connection dropped while a call was in flight (e.g. the stdio process died): its outcome is unknown. */
export class McpConnectionLostError extends Error {
  override name = 'McpConnectionLostError';
}

export interface McpConnectionEvents {
  /** The tool list after a (re)connect or a `notifications/tools/list_changed`. */
  onTools(tools: Tool[]): void;
  onState(state: McpConnectionState): void;
}

export interface McpCallOptions {
  signal?: AbortSignal;
  timeoutMs: number;
  /** How long to wait for a (re)connecting server before the call is refused. */
  connectWaitMs: number;
  onProgress?: (progress: Progress) => void;
}

const BACKOFF_MS = [250, 500, 1_000, 2_000, 5_000, 10_000];
const CLIENT_INFO = { name: 'durable-chat-agent', version: '1.0.0' };

/**
 * One MCP server as the worker sees it: connects, lists its tools (all pages), follows
 * `list_changed`, and reconnects when the connection drops (a dead stdio process is restarted),
 * with capped backoff, until closed.
 */
export class McpConnection {
  private client: Client | undefined;
  /** The client of the latest connection attempt: events of older ones are ignored. */
  private active: Client | undefined;
  private transport: Transport | undefined;
  private stateValue: McpConnectionState = 'connecting';
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly waiters = new Set<() => void>();
  private lastErrorValue: string | undefined;
  private listRefreshes = 0;

  constructor(
    readonly server: string,
    private readonly config: McpServerConfig,
    private readonly events: McpConnectionEvents,
    private readonly logger: Logger,
  ) {}

  get state(): McpConnectionState {
    return this.stateValue;
  }

  /** The stdio server's process id while it runs (operators and tests find the process by it). */
  get pid(): number | undefined {
    return this.transport instanceof StdioClientTransport ? (this.transport.pid ?? undefined) : undefined;
  }

  /** A method, not a narrowed field read: close() may run while connect() awaits. */
  private isClosed(): boolean {
    return this.stateValue === 'closed';
  }

  /** Tool-list refreshes caused by the server's `list_changed` notifications. */
  get listChangedCount(): number {
    return this.listRefreshes;
  }

  /** First connection attempt; a server that is down is retried in the background, never fatal. */
  async start(): Promise<void> {
    await this.connect();
  }

  private setState(state: McpConnectionState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.events.onState(state);
    for (const wake of this.waiters) wake();
  }

  private createTransport(): Transport {
    if (isStdioServer(this.config)) {
      const transport = new StdioClientTransport({
        command: this.config.command,
        args: this.config.args,
        env: { ...getDefaultEnvironment(), ...this.config.env },
        ...(this.config.cwd ? { cwd: this.config.cwd } : {}),
        stderr: 'pipe',
      });
      transport.stderr?.on('data', (chunk: Buffer) =>
        this.logger.debug({ mcp_server: this.server, stderr: chunk.toString().trimEnd() }, 'mcp server stderr'),
      );
      return transport;
    }
    return new StreamableHTTPClientTransport(new URL(this.config.url), {
      requestInit: { headers: this.config.headers },
    });
  }

  private async connect(): Promise<void> {
    if (this.stateValue === 'closed') return;
    this.setState('connecting');
    const transport = this.createTransport();
    const client = new Client(CLIENT_INFO, {
      capabilities: {},
      listChanged: {
        tools: {
          autoRefresh: false,
          debounceMs: 100,
          onChanged: () => {
            this.listRefreshes += 1;
            void this.refreshTools(client);
          },
        },
      },
    });
    this.active = client;
    client.onclose = () => this.dropped(client, 'connection closed');
    try {
      await client.connect(transport, { timeout: this.config.timeout_seconds * 1000 });
      if (this.isClosed()) {
        // Closed while connecting (the worker is stopping): no process may outlive it.
        await client.close();
        return;
      }
      this.client = client;
      this.transport = transport;
      const tools = await this.listAllTools(client);
      this.attempts = 0;
      this.lastErrorValue = undefined;
      this.events.onTools(tools);
      this.setState('connected');
      this.logger.info({ mcp_server: this.server, tools: tools.length, server_pid: this.pid }, 'mcp server connected');
    } catch (err) {
      this.lastErrorValue = (err as Error).message;
      // Logged in full once; while it stays down, each retry logs one line (dropped()).
      if (this.attempts === 0) this.logger.warn({ mcp_server: this.server, err }, 'mcp server connection failed');
      this.dropped(client, (err as Error).message);
      await client.close().catch(() => undefined);
    }
  }

  /** The connection is gone: mark the server down and reconnect after a backoff (once per client). */
  private dropped(client: Client, reason: string): void {
    if (this.active !== client || this.stateValue === 'closed' || this.retryTimer) return;
    this.client = undefined;
    this.transport = undefined;
    this.lastErrorValue = reason;
    this.setState('down');
    const delay = BACKOFF_MS[Math.min(this.attempts, BACKOFF_MS.length - 1)];
    this.attempts += 1;
    this.logger.warn({ mcp_server: this.server, reason, retry_in_ms: delay }, 'mcp server down; reconnecting');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, delay);
  }

  private async listAllTools(client: Client): Promise<Tool[]> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {}, { timeout: this.config.timeout_seconds * 1000 });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  }

  private async refreshTools(client: Client): Promise<void> {
    try {
      const tools = await this.listAllTools(client);
      if (this.client === client) this.events.onTools(tools);
      this.logger.info({ mcp_server: this.server, tools: tools.length }, 'mcp tool list changed');
    } catch (err) {
      this.logger.warn({ mcp_server: this.server, err }, 'mcp tool list refresh failed');
    }
  }

  private async connectedClient(waitMs: number, signal?: AbortSignal): Promise<Client> {
    const deadline = Date.now() + waitMs;
    while (!this.client || this.stateValue !== 'connected') {
      signal?.throwIfAborted();
      const left = deadline - Date.now();
      if (this.stateValue === 'closed' || left <= 0) {
        throw new McpServerDownError(
          `MCP server ${this.server} is ${this.stateValue}${this.lastErrorValue ? ` (${this.lastErrorValue})` : ''}`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 250));
        this.waiters.add(wake);
      });
    }
    return this.client;
  }

  /**
   * Calls a tool. Aborting `signal` makes the SDK send `notifications/cancelled` to the server.
   * Throws McpServerDownError when the server is not reachable in time (the call never started) and
   * McpConnectionLostError when the connection dropped mid-call (its outcome is unknown).
   */
  async callTool(name: string, args: Record<string, unknown>, options: McpCallOptions): Promise<CallToolResult> {
    const client = await this.connectedClient(options.connectWaitMs, options.signal);
    try {
      const result = await client.callTool({ name, arguments: args }, undefined, {
        timeout: options.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onprogress: options.onProgress, resetTimeoutOnProgress: false } : {}),
      });
      return result as CallToolResult;
    } catch (err) {
      if (options.signal?.aborted) throw err;
      const code = (err as { code?: unknown }).code;
      // A timeout leaves the connection as it is; a JSON-RPC error is the server's answer.
      if (code === Number(ErrorCode.RequestTimeout)) throw err;
      if (this.client === client && typeof code === 'number' && code !== Number(ErrorCode.ConnectionClosed)) throw err;
      // The transport failed (a dead process, an unreachable URL): reconnect for the next call.
      this.dropped(client, (err as Error).message);
      throw new McpConnectionLostError(`MCP server ${this.server} connection lost: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    this.setState('closed');
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    if (client) {
      if (this.transport instanceof StreamableHTTPClientTransport) {
        await this.transport.terminateSession().catch(() => undefined);
      }
      await client.close().catch(() => undefined);
    }
  }
}
