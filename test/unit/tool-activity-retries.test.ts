import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { createToolActivities, TOOL_FAILED_TYPE } from '../../activities/tool-activities';
import type { ToolInput } from '../../src/contract/activity-io';
import type { SessionEventStream } from '../../src/store/session-event-stream';
import type { ToolRunLedger } from '../../src/store/tool-run-ledger';
import { ToolRegistry } from '../../src/tools/registry';
import { defineTool, type ToolOutcome } from '../../src/tools/tool-definition';
import { activityTestEnv } from '../helpers/activity-test-env';

/**
 * A tool call's attempts are retried by Temporal without limit (a dead worker uses none up); the
 * activity counts the tool's own failures in its heartbeat details and gives up at the policy's limit.
 */
const input: ToolInput = { session_id: 's1', turn_id: 't1', call_id: 'c1', arguments: '{}' };
const events = { append: () => Promise.resolve([]) } as unknown as SessionEventStream;

function toolThat(run: () => Promise<ToolOutcome>, timeoutSeconds = 5, idempotent = true) {
  return defineTool({
    name: 'flaky',
    description: 'A test tool',
    schema: z.object({}),
    policy: { maximumAttempts: 3, timeoutSeconds },
    cacheable: false,
    idempotent,
    run,
  });
}

/** Runs one attempt with what earlier attempts left; resolves with its outcome and the last heartbeat. */
async function attempt(
  tool: ReturnType<typeof toolThat>,
  attemptNo: number,
  heartbeatDetails?: unknown,
  ledger?: ToolRunLedger,
) {
  const env = activityTestEnv({ activityType: tool.name, attempt: attemptNo, heartbeatDetails });
  let lastBeat: unknown;
  env.on('heartbeat', (details: unknown) => (lastBeat = details));
  const activity = createToolActivities(new ToolRegistry([tool]), events, undefined, ledger)[tool.name];
  const outcome: { value?: unknown; error?: unknown } = await env.run(activity, input).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  return { ...outcome, lastBeat };
}

const throwing = toolThat(() => Promise.reject(new Error('backend down')));

describe('tool activity attempts', () => {
  it('when the tool throws before its limit then the attempt fails retryably and records one more failure', async () => {
    const { error, lastBeat } = await attempt(throwing, 2, { tool_failures: 1 });
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect(lastBeat).toEqual({ tool_failures: 2 });
  });

  it('when the tool throws for the time that reaches its limit then the call fails for good', async () => {
    const { error } = await attempt(throwing, 3, { tool_failures: 2 });
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: TOOL_FAILED_TYPE, nonRetryable: true });
    expect((error as Error).message).toBe('backend down (failed 3 times)');
  });

  it('when earlier attempts ended without a failure of the tool (dead workers) then they do not count', async () => {
    const { error, lastBeat } = await attempt(throwing, 7, { tool_failures: 0 });
    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect(lastBeat).toEqual({ tool_failures: 1 });
  });

  it('when the tool runs past its timeout then that counts as its failure', async () => {
    const hanging = toolThat(() => new Promise<ToolOutcome>(() => undefined), 1);
    const { error } = await attempt(hanging, 1, { tool_failures: 2 });
    expect(error).toMatchObject({ type: TOOL_FAILED_TYPE, nonRetryable: true });
    expect((error as Error).message).toBe('Tool flaky did not finish within 1 s (failed 3 times)');
  });

  it('when the tool answers then the result is returned and the count is carried unchanged', async () => {
    const answering = toolThat(() => Promise.resolve({ ok: true, value: { answer: 42 } }));
    const { value, lastBeat } = await attempt(answering, 4, { tool_failures: 1 });
    expect(value).toMatchObject({ ok: true, content: '{"answer":42}' });
    expect(lastBeat).toEqual({ tool_failures: 1 });
  });

  it('when the tool-run ledger is down then the attempt is retried without counting, even at the limit', async () => {
    const down = { claim: () => Promise.reject(new Error('connect ECONNREFUSED')) } as unknown as ToolRunLedger;
    const sideEffect = toolThat(() => Promise.resolve({ ok: true, value: 'sent' }), 5, false);
    const { error, lastBeat } = await attempt(sideEffect, 9, { tool_failures: 2 }, down);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect((error as Error).message).toMatch(/ledger is unavailable: connect ECONNREFUSED/);
    expect(lastBeat).toEqual({ tool_failures: 2 });
  });
});
