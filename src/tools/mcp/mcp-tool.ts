import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { mcpCallsTotal } from '../../metrics/metrics';
import type { ToolDefinition, ToolOutcome } from '../tool-definition';
import { McpServerDownError, type McpConnection } from './mcp-connection';
import { mcpResultToOutcome } from './mcp-result';
import type { McpServerConfig } from './mcp-server-config';
import { mcpToolTraits, RECONNECT_ALLOWANCE_SECONDS } from './mcp-tool-traits';

/** `<server>__<tool>`: the tool's name for the model, the registry and its activity type. */
export function mcpToolName(server: string, tool: string): string {
  return `${server}__${tool}`;
}

/** The server checks arguments against its own schema; here they need only be an object. */
const mcpArgumentsSchema = z.record(z.string(), z.unknown());

export interface McpToolOptions {
  server: string;
  config: McpServerConfig;
  connection: McpConnection;
  maxResultChars: number;
}

/**
 * One MCP tool as a tool definition: its input schema goes to the model as is, annotations decide
 * retries and approval (mcp-tool-traits.ts), and every failure the model can act on (`isError`, a
 * server that is down) is a tool error result. A connection lost mid-call throws: an idempotent
 * tool's activity is retried on the restarted server, a non-idempotent one is answered by the ledger.
 */
export function createMcpTool(tool: Tool, options: McpToolOptions): ToolDefinition<typeof mcpArgumentsSchema> {
  const { server, config, connection, maxResultChars } = options;
  const name = mcpToolName(server, tool.name);
  const provider = `mcp:${server}`;
  const traits = mcpToolTraits(tool.annotations, config);
  const { $schema: _ignored, ...parameters } = tool.inputSchema as Record<string, unknown>;
  const count = (outcome: string) => mcpCallsTotal.inc({ server, tool: tool.name, outcome });
  return {
    name,
    description: tool.description ?? tool.title ?? tool.name,
    schema: mcpArgumentsSchema,
    parameters,
    ...traits,
    async run(args, context): Promise<ToolOutcome> {
      try {
        const result = await connection.callTool(tool.name, args, {
          timeoutMs: config.timeout_seconds * 1000,
          connectWaitMs: RECONNECT_ALLOWANCE_SECONDS * 1000,
          ...(context?.signal ? { signal: context.signal } : {}),
        });
        const outcome = mcpResultToOutcome(result, maxResultChars, provider);
        count(outcome.ok ? 'ok' : 'error');
        return outcome;
      } catch (err) {
        if (context?.signal?.aborted) {
          count('cancelled');
          throw err;
        }
        if (err instanceof McpServerDownError) {
          count('server_down');
          return { ok: false, value: {}, error: err.message, provider };
        }
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'number') {
          // The server answered with a JSON-RPC error (unknown tool, bad params) or the call timed out.
          count(code === -32001 ? 'timeout' : 'error');
          return { ok: false, value: {}, error: `MCP ${tool.name} failed: ${(err as Error).message}`, provider };
        }
        count('connection_lost');
        throw err;
      }
    },
  };
}
