import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WORKER_SHUTDOWN_FAILURE_TYPE } from '../src/contract/model-failure';
import { toolCallsTotal } from '../src/metrics/metrics';
import type { SessionEventStream } from '../src/store/session-event-stream';
import type { ToolResultCache } from '../src/store/tool-result-cache';
import type { ToolRunLedger } from '../src/store/tool-run-ledger';
import type { ToolDefinition, ToolOutcome, ToolRunContext } from '../src/tools/tool-definition';
import type { ToolInput, ToolResult } from '../src/contract/activity-io';
import { toolResultKey } from '../src/contract/conversation';
import type { ConversationStore } from '../src/store/conversation-store';
import { isWorkerShutdown } from './worker-shutdown';

/**
 * Runs one tool call. Bad arguments and tool-level failures become an error result the model
 * sees (the turn goes on); anything else throws, and the attempt is retried (runToolActivity).
 */
export async function runTool(
  tool: ToolDefinition,
  input: ToolInput,
  cache?: ToolResultCache,
  ledger?: ToolRunLedger,
  signal?: AbortSignal,
): Promise<ToolResult & { cached?: boolean; replayed?: boolean; invalid_arguments?: boolean }> {
  let args: unknown;
  try {
    args = input.arguments.trim() === '' ? {} : JSON.parse(input.arguments);
  } catch {
    return { ...errorResult('Arguments are not valid JSON'), invalid_arguments: true };
  }
  const parsed = tool.schema.safeParse(args);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`).join('; ');
    return { ...errorResult(`Invalid arguments: ${issues}`), invalid_arguments: true };
  }
  const context: ToolRunContext = {
    session_id: input.session_id,
    turn_id: input.turn_id,
    call_id: input.call_id,
    idempotency_key: `${input.turn_id}:${input.call_id}`,
    ...(signal ? { signal } : {}),
  };
  if (!tool.idempotent) {
    if (!ledger) throw new ToolLedgerMissingError(tool.name);
    return runAtMostOnce(tool, parsed.data, context, ledger);
  }
  const cached = tool.cacheable && cache ? await cache.get<ToolOutcome>(tool.name, parsed.data) : undefined;
  const outcome = cached ?? (await tool.run(parsed.data, context));
  // A cancelled call reports nothing: the turn that asked for it is gone.
  signal?.throwIfAborted();
  if (!outcome.ok) return errorResult(outcome.error ?? 'Tool failed', outcome.provider, outcome.value);
  if (!cached && tool.cacheable && cache) await cache.put(tool.name, parsed.data, outcome);
  return {
    ok: true,
    content: JSON.stringify(outcome.value),
    provider: outcome.provider,
    ...(cached ? { cached: true } : {}),
  };
}

/** A non-idempotent tool refuses to run without a ledger rather than risk running twice. */
export class ToolLedgerMissingError extends Error {
  override name = 'ToolLedgerMissingError';
  constructor(tool: string) {
    super(`Tool ${tool} is not idempotent and needs a tool-run ledger`);
  }
}

/**
 * A non-idempotent tool's side effect runs at most once per call: claimed in the ledger
 * before it runs, its result recorded after. A retry returns the recorded result, or, when the
 * first attempt died mid-run, an error telling the model the outcome is unknown.
 */
async function runAtMostOnce(
  tool: ToolDefinition,
  args: unknown,
  context: ToolRunContext,
  ledger: ToolRunLedger,
): Promise<ToolResult & { replayed?: boolean }> {
  const earlier = await asOutage(() => ledger.claim<ToolResult>(context.turn_id, context.call_id));
  if (earlier?.state === 'done') return { ...earlier.result, replayed: true };
  if (earlier?.state === 'running') {
    return {
      ...errorResult(
        `An earlier attempt of this ${tool.name} call (started ${earlier.started_at}) was interrupted before it reported back; it is not run again because ${tool.name} is not idempotent, so its effect may or may not have happened.`,
      ),
      replayed: true,
    };
  }
  let result: ToolResult;
  try {
    const outcome = await tool.run(args, context);
    result = outcome.ok
      ? { ok: true, content: JSON.stringify(outcome.value), provider: outcome.provider }
      : errorResult(outcome.error ?? 'Tool failed', outcome.provider, outcome.value);
  } catch (err) {
    // No retry for a side effect that may have happened: the model gets the error instead.
    result = errorResult(`Tool failed: ${(err as Error).message}`);
  }
  await asOutage(() => ledger.record(context.turn_id, context.call_id, result));
  return result;
}

/** The tool-run ledger's store failed: an outage to wait out, not the tool's failure (not counted against its attempts). */
class ToolStoreOutageError extends Error {
  override name = 'ToolStoreOutageError';
}

async function asOutage<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    throw new ToolStoreOutageError(`The tool-run ledger is unavailable: ${(err as Error).message}`, { cause: err });
  }
}

function errorResult(error: string, provider?: string, value?: unknown): ToolResult {
  const extra = value && typeof value === 'object' ? value : {};
  return { ok: false, content: JSON.stringify({ ...extra, error }), error, provider };
}

/** How often a running tool heartbeats (the SDK throttles what reaches the server). */
const TOOL_HEARTBEAT_MS = 1_000;

/** Where a tool activity finds its tool when it runs: tools may come and go (MCP list changes). */
export interface ToolLookup {
  get(name: string): ToolDefinition | undefined;
  all(): ToolDefinition[];
}

/** The activity type a tool that appeared after the worker started runs under. */
export const DYNAMIC_TOOL_ACTIVITY = 'default';

/**
 * One activity per tool, named after the tool, so the Web UI shows which tool ran; tools that
 * appear later run through the worker's dynamic `default` activity, which reads the tool's name
 * from the activity type. Each looks the tool up when it runs (a tool gone from its server is an
 * error result). It heartbeats while the tool runs, so a cancelled turn reaches it (the tool gets
 * an AbortSignal in its context) and a dead worker is noticed within the heartbeat timeout.
 */
export function createToolActivities(
  tools: ToolLookup,
  events: SessionEventStream,
  cache?: ToolResultCache,
  ledger?: ToolRunLedger,
  /** Where the result message is stored once (history by reference). */
  conversation?: ConversationStore,
) {
  const runNamed = async (name: string, input: ToolInput): Promise<ToolResult> => {
    const tool = tools.get(name);
    if (!tool) toolCallsTotal.inc({ tool: name, outcome: 'unknown_tool' });
    const result = tool
      ? await runToolActivity(tool, input, events, cache, ledger)
      : errorResult(`Tool "${name}" is no longer available`);
    // Stored before the activity completes: the workflow refers to every result an activity returned.
    await conversation?.putMessage(input.session_id, toolResultKey(input.turn_id, input.call_id), {
      role: 'tool',
      tool_call_id: input.call_id,
      content: result.content,
      turn_id: input.turn_id,
    });
    return result;
  };
  const activities: Record<string, (input: ToolInput) => Promise<ToolResult>> = {
    [DYNAMIC_TOOL_ACTIVITY]: (input: ToolInput) => runNamed(Context.current().info.activityType, input),
  };
  for (const { name } of tools.all()) activities[name] = (input: ToolInput) => runNamed(name, input);
  return activities;
}

/** The failure type of a tool call that failed `maximumAttempts` times by its own doing (not retried). */
export const TOOL_FAILED_TYPE = 'ToolFailedError';

/** What a tool call's earlier attempts left in their heartbeat details: how many failed by the tool's own doing. */
interface ToolCallProgress {
  tool_failures: number;
}

function progressOf(details: unknown): ToolCallProgress {
  const failures = (details as Partial<ToolCallProgress> | undefined)?.tool_failures;
  return { tool_failures: typeof failures === 'number' ? failures : 0 };
}

/** The tool ran past its policy's timeout: its own failure, counted like a throw. */
class ToolDeadlineError extends Error {
  override name = 'ToolDeadlineError';
  constructor(tool: ToolDefinition) {
    super(`Tool ${tool.name} did not finish within ${tool.policy.timeoutSeconds} s`);
  }
}

/** Settles with `work`, or fails when `deadline` aborts first (a tool that ignores its signal still ends). */
function beforeDeadline<T>(work: Promise<T>, deadline: AbortSignal, tool: ToolDefinition): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) =>
      deadline.addEventListener('abort', () => reject(new ToolDeadlineError(tool)), { once: true }),
    ),
  ]);
}

/**
 * Runs a tool call's attempt. Temporal retries attempts without limit, so a dead worker, a
 * restarted server or a ledger outage never uses up a call's attempts; the tool's own failures (a
 * throw, its policy's timeout) are counted in the heartbeat details, and the one that reaches `maximumAttempts` fails
 * the call for good (non-retryable `ToolFailedError`).
 */
async function runToolActivity(
  tool: ToolDefinition,
  input: ToolInput,
  events: SessionEventStream,
  cache?: ToolResultCache,
  ledger?: ToolRunLedger,
): Promise<ToolResult> {
  const ctx = Context.current();
  const { attempt } = ctx.info;
  const logFields = {
    request_id: input.request_id,
    session_id: input.session_id,
    turn_id: input.turn_id,
    tool: tool.name,
    call_id: input.call_id,
    attempt,
  };
  const progress = progressOf(ctx.info.heartbeatDetails);
  // Every beat carries the count: a beat without it would erase it for the next attempt.
  ctx.heartbeat(progress);
  const beat = setInterval(() => ctx.heartbeat(progress), TOOL_HEARTBEAT_MS);
  const deadline = AbortSignal.timeout(tool.policy.timeoutSeconds * 1000);
  let result: Awaited<ReturnType<typeof runTool>>;
  try {
    const signal = AbortSignal.any([ctx.cancellationSignal, deadline]);
    result = await beforeDeadline(runTool(tool, input, cache, ledger, signal), deadline, tool);
  } catch (err) {
    if (isWorkerShutdown(ctx.cancellationSignal)) {
      // Not the tool's failure: another worker runs the call again, uncounted.
      throw ApplicationFailure.retryable(
        'The worker shut down while the tool was running',
        WORKER_SHUTDOWN_FAILURE_TYPE,
      );
    }
    if (ctx.cancellationSignal.aborted) {
      toolCallsTotal.inc({ tool: tool.name, outcome: 'cancelled' });
      ctx.log.info('tool call cancelled', logFields);
      throw err;
    }
    toolCallsTotal.inc({ tool: tool.name, outcome: 'exception' });
    // Retried until the store is back, uncounted: an outage delays the call, never fails it.
    if (err instanceof ToolStoreOutageError) throw err;
    const failures = progress.tool_failures + 1;
    const error = deadline.aborted ? new ToolDeadlineError(tool).message : (err as Error).message;
    ctx.log.warn('tool call failed', { ...logFields, error, tool_failures: failures });
    if (failures >= tool.policy.maximumAttempts) {
      throw ApplicationFailure.create({
        type: TOOL_FAILED_TYPE,
        message: `${error} (failed ${failures} times)`,
        nonRetryable: true,
      });
    }
    // Recorded before the attempt ends, so the next attempt counts on from here.
    ctx.heartbeat({ tool_failures: failures });
    throw err;
  } finally {
    clearInterval(beat);
  }
  const outcome = result.ok
    ? result.cached
      ? 'cached'
      : result.replayed
        ? 'replayed'
        : 'ok'
    : result.invalid_arguments
      ? 'invalid_arguments'
      : 'error';
  toolCallsTotal.inc({ tool: tool.name, outcome });
  ctx.log.info('tool call finished', { ...logFields, outcome, provider: result.provider });
  await events.append(input.session_id, [
    {
      type: 'tool_result',
      data: {
        turn_id: input.turn_id,
        call_id: input.call_id,
        name: tool.name,
        ok: result.ok,
        content: result.content,
        provider: result.provider,
        attempt,
        ...(result.replayed ? { replayed: true } : {}),
        ...(result.cached ? { cached: true } : {}),
      },
    },
  ]);
  return result;
}
