import type { Connection } from '@temporalio/client';
import type Redis from 'ioredis';
import type { Knex } from 'knex';
import type { Config } from '../../config';
import type { Logger } from '../../logger';
import { OPEN_API_WARNING } from '../security/api-security';

export interface HealthDeps {
  temporal: Connection;
  redis: Redis;
  knex: Knex;
  llm: Config['llm'];
  /** Where a failing check's error goes: the public report says only up or down. */
  logger: Logger;
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

/**
 * Dependency checks for the public `/health`: up or down per part, no addresses or errors (those are
 * logged); the model entry says plainly when the offline model answers.
 */
export async function healthReport(deps: HealthDeps) {
  const [temporal, redis, sqlite] = await Promise.all([
    check('temporal', deps.logger, () => deps.temporal.workflowService.getSystemInfo({})),
    check('redis', deps.logger, () => deps.redis.ping()),
    check('sqlite', deps.logger, () => deps.knex.raw('select 1')),
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
  const ok = temporal.ok && redis.ok && sqlite.ok;
  return { status: ok ? 'ok' : 'degraded', checks: { temporal, redis, sqlite, model, auth } };
}
