import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../logger';
import type { ToolRegistry } from '../registry';
import { McpConnection, type McpConnectionState } from './mcp-connection';
import { isStdioServer, type McpServerConfig } from './mcp-server-config';
import { createMcpTool } from './mcp-tool';

/** One MCP server as this worker sees it (published for /health). */
export interface McpServerStatus {
  server: string;
  transport: 'stdio' | 'http';
  state: McpConnectionState;
  tools: number;
  /** The stdio server's process id while it runs. */
  pid?: number;
  /** Tool-list refreshes the server's `list_changed` notifications caused. */
  list_changed: number;
}

export interface McpToolHubOptions {
  maxResultChars: number;
  logger: Logger;
  /** Called whenever a server's state or tool list changes. */
  onChange?: () => void;
}

/**
 * The worker's MCP servers: one connection each, whose tools live in the registry as the group
 * `mcp:<server>` — replaced when the list changes. While a server is down its last-known tools
 * stay: a call waits for the reconnect (a restarted stdio process) or gets a "server down" result.
 */
export class McpToolHub {
  private readonly connections: McpConnection[];
  private readonly toolCounts = new Map<string, number>();

  constructor(
    private readonly servers: Record<string, McpServerConfig>,
    private readonly registry: ToolRegistry,
    private readonly options: McpToolHubOptions,
  ) {
    this.connections = Object.entries(servers).map(
      ([server, config]) =>
        new McpConnection(
          server,
          config,
          {
            onTools: (tools) => this.register(server, tools),
            onState: () => options.onChange?.(),
          },
          options.logger,
        ),
    );
  }

  /** Connects every server once (in parallel); one that is down keeps reconnecting in the background. */
  async start(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.start()));
  }

  private register(server: string, tools: Tool[]): void {
    const connection = this.connections.find((c) => c.server === server);
    if (!connection) return;
    const definitions = tools.map((tool) =>
      createMcpTool(tool, {
        server,
        config: this.servers[server],
        connection,
        maxResultChars: this.options.maxResultChars,
      }),
    );
    const rejected = this.registry.replaceGroup(`mcp:${server}`, definitions);
    for (const err of rejected) this.options.logger.warn({ mcp_server: server, err: err.message }, 'mcp tool left out');
    this.toolCounts.set(server, definitions.length - rejected.length);
    this.options.onChange?.();
  }

  status(): McpServerStatus[] {
    return this.connections.map((c) => ({
      server: c.server,
      transport: isStdioServer(this.servers[c.server]) ? 'stdio' : 'http',
      state: c.state,
      tools: this.toolCounts.get(c.server) ?? 0,
      ...(c.pid !== undefined ? { pid: c.pid } : {}),
      list_changed: c.listChangedCount,
    }));
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.close()));
  }
}
