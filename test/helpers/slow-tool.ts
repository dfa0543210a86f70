import { incrOnce } from './incr-once';
import { z } from 'zod';
import type { Config } from '../../src/config';
import { defineTool, type ToolDefinition } from '../../src/tools/tool-definition';

/**
 * A test-only slow tool: it works for `hold_ms`, then does its side effect (INCR of a counter
 * in Redis). It stops when its context's signal aborts, so a cancelled call leaves the counter
 * untouched. Loaded into a worker process through TOOL_MODULES.
 */
export const SLOW_TOOL = 'slow_side_effect';

export function slowToolCounterKey(prefix: string, label: string): string {
  return `${prefix}test:slow-tool:${label}`;
}

function hold(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('cancelled'));
    });
  });
}

export function createTools(config: Config): ToolDefinition[] {
  const tool = defineTool({
    name: SLOW_TOOL,
    description: 'Works for a while, then records that it finished (test tool).',
    schema: z.object({ label: z.string().min(1), hold_ms: z.number().int().min(0).max(60_000) }),
    policy: { maximumAttempts: 1, timeoutSeconds: 60 },
    cacheable: false,
    idempotent: true,
    async run({ label, hold_ms }, context) {
      await hold(hold_ms, context?.signal);
      await incrOnce(config.REDIS_URL, 'slow-tool', slowToolCounterKey(config.REDIS_KEY_PREFIX, label));
      return { ok: true, value: { label, finished: true }, provider: 'test' };
    },
  });
  return [tool];
}
