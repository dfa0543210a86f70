import type { Connection } from '@temporalio/client';
import type Redis from 'ioredis';
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { OPEN_API_WARNING } from '../security/api-security';

export interface HealthDeps {
  temporal: Connection;
  redis: Redis;
  knex: Knex;
  llm: Config['llm'];
  /** Whether API keys guard /api (omitted: reported as open). */
  auth?: { open: boolean; principalCount: number };
}

async function check(fn: () => Promise<unknown>, timeoutMs = 2000): Promise<{ ok: boolean; error?: string }> {
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
    return { ok: false, error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Dependency checks for `/health`; the model entry says plainly when the offline model answers. */
export async function healthReport(deps: HealthDeps) {
  const [temporal, redis, sqlite] = await Promise.all([
    check(() => deps.temporal.workflowService.getSystemInfo({})),
    check(() => deps.redis.ping()),
    check(() => deps.knex.raw('select 1')),
  ]);
  const offline = deps.llm.mode === 'offline';
  const model = {
    ok: true,
    mode: deps.llm.mode,
    model: deps.llm.model,
    base_url: deps.llm.baseUrl,
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
  const ok = temporal.ok && redis.ok && sqlite.ok;
  return { status: ok ? 'ok' : 'degraded', checks: { temporal, redis, sqlite, model, auth } };
}
