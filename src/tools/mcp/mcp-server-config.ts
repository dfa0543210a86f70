import { readFileSync } from 'node:fs';
import { z } from 'zod';

const retrySettings = {
  /** One call's deadline (the SDK request timeout; the activity gets a little more to reconnect). */
  timeout_seconds: z.number().int().min(1).max(86_400).default(60),
  /** Attempts of an idempotent tool's activity; a non-idempotent one runs at most once anyway. */
  max_attempts: z.number().int().min(1).max(20).default(3),
};

const stdioServerSchema = z
  .object({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().optional(),
    ...retrySettings,
  })
  .strict();

const httpServerSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    headers: z.record(z.string(), z.string()).default({}),
    ...retrySettings,
  })
  .strict();

const serverSchema = z.union([stdioServerSchema, httpServerSchema], {
  error: 'expected a stdio server {"command", "args"?, "env"?} or a Streamable HTTP server {"url", "headers"?}',
});

/** Server names become tool-name prefixes (`<server>__<tool>`): letters, digits, `-`, no `__`. */
const serverNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9-]+(_[A-Za-z0-9-]+)*$/, 'a server name is letters, digits, "-" and single "_" (no "__")')
  .max(32);

const serversSchema = z.record(serverNameSchema, serverSchema);

export type StdioServerConfig = z.infer<typeof stdioServerSchema>;
export type HttpServerConfig = z.infer<typeof httpServerSchema>;
export type McpServerConfig = StdioServerConfig | HttpServerConfig;

export function isStdioServer(server: McpServerConfig): server is StdioServerConfig {
  return 'command' in server;
}

/** MCP_SERVERS / MCP_SERVERS_FILE is not valid: the worker refuses to start and says where. */
export class McpConfigError extends Error {
  override name = 'McpConfigError';
}

/** Parses the MCP_SERVERS JSON text; `source` names where it came from in the error. */
export function parseMcpServers(text: string, source: string): Record<string, McpServerConfig> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new McpConfigError(`${source} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = serversSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${[source, ...i.path].join('.')}: ${i.message}`);
    throw new McpConfigError(`Invalid MCP server configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** The configured servers: MCP_SERVERS, else the file MCP_SERVERS_FILE names, else none. */
export function loadMcpServers(config: {
  MCP_SERVERS?: string;
  MCP_SERVERS_FILE?: string;
}): Record<string, McpServerConfig> {
  if (config.MCP_SERVERS) return parseMcpServers(config.MCP_SERVERS, 'MCP_SERVERS');
  if (!config.MCP_SERVERS_FILE) return {};
  let text: string;
  try {
    text = readFileSync(config.MCP_SERVERS_FILE, 'utf8');
  } catch (err) {
    throw new McpConfigError(`MCP_SERVERS_FILE ${config.MCP_SERVERS_FILE} cannot be read: ${(err as Error).message}`);
  }
  return parseMcpServers(text, `MCP_SERVERS_FILE(${config.MCP_SERVERS_FILE})`);
}
