import type Redis from 'ioredis';
import type { RedisKeys } from './redis';

/** How long a worker's report outlives it when it stops reporting (it reports every 10 s). */
export const MCP_STATUS_TTL_SECONDS = 30;

/** One MCP server as one worker last reported it. */
export interface McpServerView {
  server: string;
  transport: 'stdio' | 'http';
  state: 'connecting' | 'connected' | 'down' | 'closed';
  tools: number;
  pid?: number;
  list_changed: number;
}

export interface WorkerMcpReport {
  worker: string;
  reported_at: string;
  servers: McpServerView[];
}

/**
 * The workers' view of their MCP servers, for the API's /health: each worker writes its report
 * under its own key with a TTL (a worker that is gone stops counting once it expires).
 */
export class McpStatusStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds = MCP_STATUS_TTL_SECONDS,
  ) {}

  private key(worker: string): string {
    return `${this.keys.prefix}mcp-status:${worker}`;
  }

  async put(worker: string, servers: McpServerView[]): Promise<void> {
    const report: WorkerMcpReport = { worker, reported_at: new Date().toISOString(), servers };
    await this.redis.set(this.key(worker), JSON.stringify(report), 'EX', this.ttlSeconds);
  }

  async remove(worker: string): Promise<void> {
    await this.redis.del(this.key(worker));
  }

  /** Every live worker's report. */
  async all(): Promise<WorkerMcpReport[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `${this.keys.prefix}mcp-status:*`, 'COUNT', 200);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const values = await this.redis.mget(...keys);
    return values.flatMap((v) => (v ? [JSON.parse(v) as WorkerMcpReport] : []));
  }
}
