import type { Connection } from '@temporalio/client';
import type Redis from 'ioredis';
import type { Knex } from 'knex';
import type { Config } from '../../config';
import type { Logger } from '../../logger';
import type { McpStatusStore, WorkerMcpReport } from '../../store/mcp-status-store';
import { backendOfKnex } from '../../store/knex';
import type { TemporalConnectionSummary } from '../../temporal/temporal-connection';
import { OPEN_API_WARNING } from '../security/api-security';

export interface HealthDeps {
  temporal: Connection;
  /** Where the API's Temporal client is connected (address, namespace, TLS mode, whether a key is set): shown, never a secret. */
  temporalTarget?: TemporalConnectionSummary;
  redis: Redis;
  knex: Knex;
  llm: Config['llm'];
  /** Where a failing check's error goes: the public report says only up or down. */
  logger: Logger;
  /** The workers' reports of their MCP servers (omitted: no MCP entry). */
  mcp?: McpStatusStore;
  /** Whether API keys guard /api (omitted: reported as open). */
  auth?: { open: boolean; principalCount: number };
}

/** Up or down; why a part is down goes to the log only (its errors name hosts, ports and files). */
async function check(
  part: string,
  logger: Logger,
  fn: () => Promise<unknown>,
  timeoutMs = 2000,
): Promise<{ ok: boolean }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true };
  } catch (err) {
    logger.warn({ err, part }, 'health check failed');
    return { ok: false };
  } finally {
    clearTimeout(timer);
  }
}

type McpServerHealth = { server: string; state: 'connected' | 'connecting' | 'down'; tools: number; workers: number };

/**
 * Each MCP server as the workers report it: connected when any worker is connected to it. A
 * server that is down is reported but does not make the service degraded: its tools answer with
 * an error result and every other part works.
 */
function mcpHealthOf(reports: WorkerMcpReport[]): { ok: boolean; servers: McpServerHealth[] } {
  const byServer = new Map<string, McpServerHealth>();
  for (const report of reports) {
    for (const view of report.servers) {
      const entry = byServer.get(view.server) ?? { server: view.server, state: 'down', tools: 0, workers: 0 };
      entry.workers += 1;
      if (view.state === 'connected') entry.state = 'connected';
      else if (view.state === 'connecting' && entry.state === 'down') entry.state = 'connecting';
      entry.tools = Math.max(entry.tools, view.tools);
      byServer.set(view.server, entry);
    }
  }
  const servers = [...byServer.values()].sort((a, b) => a.server.localeCompare(b.server));
  return { ok: servers.every((s) => s.state === 'connected'), servers };
}

async function mcpCheck(deps: HealthDeps) {
  if (!deps.mcp) return undefined;
  try {
    return mcpHealthOf(await deps.mcp.all());
  } catch (err) {
    deps.logger.warn({ err, part: 'mcp' }, 'health check failed');
    return { ok: false, servers: [] };
  }
}

/**
 * Dependency checks for the public `/health`: up or down per part, no errors (those are logged) and no
 * addresses except the Temporal server's (where this API is connected, with its TLS mode; never a key or
 * certificate); the model entry says plainly when the offline model answers.
 */
export async function healthReport(deps: HealthDeps) {
  const [temporalCheck, redis, archiveCheck, mcp] = await Promise.all([
    check('temporal', deps.logger, () => deps.temporal.workflowService.getSystemInfo({})),
    check('redis', deps.logger, () => deps.redis.ping()),
    check('archive', deps.logger, () => deps.knex.raw('select 1')),
    mcpCheck(deps),
  ]);
  const offline = deps.llm.mode === 'offline';
  const model = {
    ok: true,
    mode: deps.llm.mode,
    offline,
    ...(offline
      ? {
          warning:
            'OFFLINE MODEL IN USE: answers come from the built-in rule-based model, not an LLM. Set OPENROUTER_API_KEY or LLM_BASE_URL.',
        }
      : {}),
  };
  const auth =
    deps.auth && !deps.auth.open
      ? { ok: true, mode: 'api_keys' as const, principals: deps.auth.principalCount }
      : { ok: true, mode: 'open' as const, warning: OPEN_API_WARNING };
  // The archive names its backend, never its address; `sqlite` stays for clients of the SQLite-only days.
  const backend = backendOfKnex(deps.knex);
  const archive = { ...archiveCheck, backend };
  const temporal = { ...temporalCheck, ...deps.temporalTarget };
  const ok = temporal.ok && redis.ok && archive.ok;
  return {
    status: ok ? 'ok' : 'degraded',
    checks: {
      temporal,
      redis,
      archive,
      ...(backend === 'sqlite' ? { sqlite: archiveCheck } : {}),
      model,
      auth,
      ...(mcp ? { mcp } : {}),
    },
  };
}
