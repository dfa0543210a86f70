import type { ToolApprovalPolicy, ToolPolicy } from '../tool-definition';
import type { McpServerConfig } from './mcp-server-config';

/** The MCP tool annotations that decide how a call is retried and whether it waits for approval. */
export interface McpToolAnnotations {
  readOnlyHint?: boolean;
  idempotentHint?: boolean;
  destructiveHint?: boolean;
  openWorldHint?: boolean;
}

export interface McpToolTraits {
  idempotent: boolean;
  cacheable: boolean;
  approval: ToolApprovalPolicy;
  policy: ToolPolicy;
}

/**
 * Seconds the activity gets beyond the server's call timeout: time to wait for a restarted
 * server (a killed stdio process) before the call itself starts.
 */
export const RECONNECT_ALLOWANCE_SECONDS = 10;

/**
 * Annotations → how the worker treats a tool. Read-only or idempotent tools are retried freely;
 * anything else runs at most once (tool-run ledger). Results are never cached: even a read-only
 * tool reads state that changes (a file, a graph), and a stale answer is worse than a second call.
 * Without `readOnlyHint: true` a call waits for approval (TOOL_APPROVAL overrides).
 */
export function mcpToolTraits(annotations: McpToolAnnotations | undefined, server: McpServerConfig): McpToolTraits {
  const readOnly = annotations?.readOnlyHint === true;
  const idempotent = readOnly || annotations?.idempotentHint === true;
  return {
    idempotent,
    cacheable: false,
    approval: readOnly ? 'never' : 'always',
    policy: {
      // A non-idempotent tool's retry finds the ledger's claim and does not run it again.
      maximumAttempts: server.max_attempts,
      timeoutSeconds: server.timeout_seconds + RECONNECT_ALLOWANCE_SECONDS,
    },
  };
}
