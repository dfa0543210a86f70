import { incrOnce } from './incr-once';
import { z } from 'zod';
import type { Config } from '../../src/config';
import { defineTool, type ToolDefinition } from '../../src/tools/tool-definition';

/**
 * A test-only tool with a side effect that must not happen twice (like sending an e-mail or
 * charging a card): each run INCRs a counter in Redis, then holds for `hold_ms` so a test can
 * kill the worker in the middle. Loaded into a worker process through TOOL_MODULES.
 */
export const SIDE_EFFECT_TOOL = 'record_payment';

export function sideEffectCounterKey(prefix: string, label: string): string {
  return `${prefix}test:side-effects:${label}`;
}

export function createTools(config: Config): ToolDefinition[] {
  const tool = defineTool({
    name: SIDE_EFFECT_TOOL,
    description: 'Records a payment (test tool: counts executions in Redis).',
    schema: z.object({ label: z.string().min(1), hold_ms: z.number().int().min(0).max(120_000).default(0) }),
    policy: { maximumAttempts: 3, timeoutSeconds: 8 },
    cacheable: false,
    idempotent: false,
    async run({ label, hold_ms }, context) {
      const count = await incrOnce(
        config.REDIS_URL,
        'side-effect-tool',
        sideEffectCounterKey(config.REDIS_KEY_PREFIX, label),
      );
      if (hold_ms > 0) await new Promise((r) => setTimeout(r, hold_ms));
      return {
        ok: true,
        value: { label, recorded: true, execution: count, idempotency_key: context?.idempotency_key },
        provider: 'test',
      };
    },
  });
  return [tool];
}
