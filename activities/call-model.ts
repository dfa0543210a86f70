import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { estimateTokens } from '../src/llm/chat-completion-encoder';
import { tokenCost } from '../src/llm/cost';
import { classifyModelError } from '../src/llm/model-error';
import { MODEL_FAILURE_TYPES, WORKER_SHUTDOWN_FAILURE_TYPE } from '../src/contract/model-failure';
import {
  costUsdTotal,
  modelCallsTotal,
  modelFallbacksTotal,
  modelLabel,
  tokensTotal,
  toolCallsTotal,
} from '../src/metrics/metrics';
import { modelCallOutcome } from '../src/metrics/model-call-outcome';
import type { ModelRouter } from '../src/llm/model-router';
import { SessionEventBatch } from '../src/store/session-event-batch';
import type { SessionEventStream } from '../src/store/session-event-stream';
import type { SessionSnapshotStore } from '../src/store/session-snapshot-store';
import type { ToolRegistry } from '../src/tools/registry';
import type { ChatMessage } from '../src/contract/chat-message';
import { answerKey } from '../src/contract/conversation';
import type { SessionEvent } from '../src/contract/event-catalog';
import type { CallModelInput, CallModelResult, ModelSpend, ModelToolCall } from '../src/contract/activity-io';
import { writeUntilDone } from '../src/store/write-until-done';
import { withRecalledMemories, type MemoryRecall } from '../src/memory/memory-recall';
import type { ConversationSources } from './conversation-messages';
import { addSpend, progressOf, type ModelCallProgress } from './model-call-progress';
import { buildModelContext } from './model-context';
import { isWorkerShutdown } from './worker-shutdown';
import { finishTurnInModelCall, republishFinishedTurn, type TurnEndDeps } from './turn-end';

export interface CallModelDeps extends ConversationSources, TurnEndDeps {
  models: ModelRouter;
  tools: ToolRegistry;
  events: SessionEventStream;
  snapshots: SessionSnapshotStore;
  /** Long-term memory recalled into each call (absent: memory is off). */
  recall?: MemoryRecall;
}

/** The answer as the conversation keeps it (what the workflow adds to the turn), stored once under answerKey. */
function answerMessage(input: CallModelInput, answer: CallModelResult): ChatMessage {
  return {
    role: 'assistant',
    content: answer.tool_calls.length > 0 ? answer.content || null : answer.content,
    ...(answer.tool_calls.length > 0
      ? { tool_calls: answer.tool_calls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args })) }
      : {}),
    turn_id: input.turn_id,
  };
}

function toOpenAiMessages(messages: ChatMessage[]): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    if (m.role === 'tool') return { role: 'tool', tool_call_id: m.tool_call_id ?? '', content: m.content ?? '' };
    if (m.role === 'assistant' && m.tool_calls?.length) {
      return {
        role: 'assistant',
        content: m.content,
        tool_calls: m.tool_calls.map((c) => ({
          id: c.id,
          type: 'function',
          function: { name: c.name, arguments: c.arguments },
        })),
      };
    }
    return { role: m.role, content: m.content ?? '' };
  });
}

/** No per-chunk heartbeats in an attempt's first moments (cancellation waits at most this long more). */
const QUIET_START_MS = 250;
/** How long a failing attempt waits for its pending stream writes before it reports the failure. */
const SETTLE_WRITES_MS = 3_000;

function settleWithin(work: Array<Promise<unknown>>, ms: number): Promise<unknown> {
  return Promise.race([Promise.allSettled(work), new Promise((resolve) => setTimeout(resolve, ms).unref())]);
}

/**
 * One model attempt, streamed: each content chunk goes to the session's Redis stream (never
 * through workflow history) and heartbeats, so a cancelled turn aborts the HTTP request.
 * A retried attempt first emits `reset` so clients drop the partial text; the first call to a
 * fallback model emits `model_switched`.
 *
 * Only the model's own failures count against `model_failure_limit` (kept in heartbeat details,
 * see ModelCallProgress); once the answer is complete it is kept there too, and the store writes
 * after it retry inside the attempt: a store outage delays the answer, never re-calls the model.
 */
export function createCallModel(deps: CallModelDeps) {
  return async function callModel(input: CallModelInput): Promise<CallModelResult> {
    const ctx = Context.current();
    const model = modelLabel(input.model);
    // Every log line of the call carries the ids that tie it to the API request and the turn.
    const logFields = {
      request_id: input.request_id,
      session_id: input.session_id,
      turn_id: input.turn_id,
      step: input.step,
      model: input.model,
      attempt: ctx.info.attempt,
    };
    if (input.previous_model && ctx.info.attempt === 1)
      modelFallbacksTotal.inc({ from_model: modelLabel(input.previous_model), to_model: model });
    const route = deps.models.get(input.model);
    if (!route) {
      modelCallsTotal.inc({ model, outcome: 'not_configured' });
      throw ApplicationFailure.create({
        type: MODEL_FAILURE_TYPES.unknownModel,
        message: `Model ${input.model} is not configured`,
        nonRetryable: true,
      });
    }
    // Before any event: references the stores cannot resolve fail the call (the workflow resends inline).
    const context = await buildModelContext(deps, input);
    const previous = progressOf(ctx.info.heartbeatDetails);
    const base = { turn_id: input.turn_id, step: input.step, attempt: ctx.info.attempt, model: input.model };
    const writes: Array<Promise<unknown>> = [];
    const batch = new SessionEventBatch(deps.events, input.session_id);
    const emit = (event: SessionEvent) => batch.push(event);
    if (input.previous_model && ctx.info.attempt === 1) {
      emit({
        type: 'model_switched',
        data: {
          ...base,
          from: input.previous_model,
          reason: input.previous_error,
          offline_fallback: !!input.offline_fallback,
        },
      });
    }
    const reset: SessionEvent = { type: 'reset', data: { ...base, reason: 'retry' } };
    if (ctx.info.attempt > 1) emit(reset);
    const userMessage = [...context].reverse().find((m) => m.role === 'user')?.content ?? undefined;
    const liveTurn = (phase: 'model' | 'tools') => ({
      turn_id: input.turn_id,
      step: input.step,
      phase,
      model: input.model,
      user_message: userMessage,
      updated_at: new Date().toISOString(),
    });
    const live = (phase: 'model' | 'tools') => writes.push(deps.snapshots.setLive(input.session_id, liveTurn(phase)));
    live('model');

    /** Logs a store write that failed and is tried again (the writes after an answer retry inside the attempt). */
    const warnRetrying = (what: string) => (err: unknown, tries: number) => {
      ctx.log.warn(`${what}; retrying`, { ...logFields, tries, error: (err as Error).message });
    };

    const answerEvents = (answer: CallModelResult): SessionEvent[] => [
      ...(answer.content ? [{ type: 'message' as const, data: { ...base, content: answer.content } }] : []),
      ...answer.tool_calls.map((call): SessionEvent => ({
        type: 'tool_call',
        data: { ...base, id: call.id, name: call.name, arguments: call.arguments },
      })),
    ];
    /**
     * The writes of a complete answer, retried until the store takes them; a retry republishes the
     * whole answer after `reset` (clients drop what they had), since a failed batch may have lost any part.
     */
    const publish = async (answer: CallModelResult) => {
      if (answer.tool_calls.length > 0) live('tools');
      const stored = () =>
        deps.conversation.putMessage(
          input.session_id,
          answerKey(input.turn_id, input.step),
          answerMessage(input, answer),
        );
      await writeUntilDone(
        () => Promise.all([...writes, batch.drain(), stored()]),
        () =>
          Promise.all([
            stored(),
            deps.snapshots.setLive(input.session_id, liveTurn(answer.tool_calls.length > 0 ? 'tools' : 'model')),
            deps.events.append(input.session_id, [reset, ...answerEvents(answer)]),
          ]),
        ctx.cancellationSignal,
        warnRetrying('store write after the model answered failed'),
      );
    };

    /** With `finish`, a final answer ends the turn here: archived, then `done` and the snapshot. */
    const finishIfFinal = async (answer: CallModelResult): Promise<CallModelResult> => {
      if (!input.finish || answer.tool_calls.length > 0) return answer;
      const finished = await finishTurnInModelCall(
        deps,
        { ...input, finish: input.finish },
        answer,
        ctx.cancellationSignal,
        warnRetrying("the turn's archive or publish failed"),
      );
      return finished ? { ...answer, finished } : answer;
    };

    let progress: ModelCallProgress = previous;
    const beat = setInterval(() => ctx.heartbeat(current()), 1000);
    // The heartbeat details are how the next attempt learns what this one did: always send them.
    let current = (): ModelCallProgress => progress;
    try {
      // An earlier attempt archived the turn and lost its completion (and maybe its heartbeat):
      // publish the archived end again; the model is not called (or paid) twice.
      const ended =
        input.finish && ctx.info.attempt > 1
          ? await republishFinishedTurn(deps, { ...input, finish: input.finish })
          : undefined;
      if (ended) {
        ctx.log.info('turn already archived by an earlier attempt: publishing it again', logFields);
        return ended;
      }
      if (previous.answer) {
        // The model finished in an earlier attempt that then lost a store write or its worker:
        // publish the kept answer instead of calling (and paying) the model again.
        ctx.log.info('model answer kept from an earlier attempt: publishing it', logFields);
        for (const event of answerEvents(previous.answer)) emit(event);
        await publish(previous.answer);
        return await finishIfFinal(previous.answer);
      }
      const answer = await stream(input, context, route, ctx, logFields, emit, previous, (snapshot) => {
        current = snapshot;
      });
      progress = { ...previous, answer };
      // From here every beat carries the answer: a beat without it would erase it for the next attempt.
      current = () => progress;
      ctx.heartbeat(progress);
      for (const call of answer.tool_calls)
        emit({ type: 'tool_call', data: { ...base, id: call.id, name: call.name, arguments: call.arguments } });
      await publish(answer);
      return await finishIfFinal(answer);
    } catch (err) {
      if (
        ctx.cancellationSignal.aborted &&
        !(err instanceof CancelledFailure) &&
        !isWorkerShutdown(ctx.cancellationSignal)
      )
        throw new CancelledFailure('Turn cancelled while publishing the model answer', [
          progress.answer?.content ?? '',
          null,
        ]);
      throw err;
    } finally {
      clearInterval(beat);
      await settleWithin([...writes, batch.drain()], SETTLE_WRITES_MS);
    }
  };

  /** Streams one attempt; resolves with the complete answer or throws the failure the chain acts on. */
  async function stream(
    input: CallModelInput,
    context: ChatMessage[],
    route: NonNullable<ReturnType<ModelRouter['get']>>,
    ctx: Context,
    logFields: Record<string, unknown>,
    emit: (event: SessionEvent) => void,
    previous: ModelCallProgress,
    track: (snapshot: () => ModelCallProgress) => void,
  ): Promise<CallModelResult> {
    const model = modelLabel(input.model);
    const base = { turn_id: input.turn_id, step: input.step, attempt: ctx.info.attempt, model: input.model };
    const messages = toOpenAiMessages(
      await withRecalledMemories(deps.recall, context, input, (err) => {
        ctx.log.warn('memory recall failed; calling the model without it', { ...logFields, error: String(err) });
      }),
    );
    const sendTools = input.use_tools && route.spec.supportsTools;
    let content = '';
    let finishReason: string | null = null;
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    let opened = false;
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    let promptEstimate: number | undefined;
    const promptTokens = () => usage?.prompt_tokens ?? (promptEstimate ??= estimateTokens(JSON.stringify(messages)));
    const completionTokens = () =>
      usage?.completion_tokens ??
      (content || calls.size
        ? estimateTokens(content + JSON.stringify([...calls.values()].map((c) => c.arguments)))
        : 0);
    // What this attempt consumed so far: the provider bills the prompt once it answers at all.
    const spentNow = (): ModelSpend | undefined =>
      opened
        ? {
            model: input.model,
            prompt_tokens: promptTokens(),
            completion_tokens: completionTokens(),
            cost: tokenCost(
              promptTokens(),
              completionTokens(),
              route.spec.priceInputPer1M,
              route.spec.priceOutputPer1M,
            ),
            usage_estimated: !usage,
          }
        : undefined;
    const progressNow = (): ModelCallProgress => ({ ...previous, spent: addSpend(previous.spent, spentNow()) });
    track(progressNow);
    // A provider that stops mid-stream is the model's timeout, not the worker's.
    const deadline = new AbortController();
    const deadlineTimer = input.model_timeout_seconds
      ? setTimeout(() => deadline.abort(), input.model_timeout_seconds * 1000)
      : undefined;
    // A heartbeat is a server round trip the completion waits behind: a quick answer needs none.
    const startedAt = Date.now();
    try {
      const completion = await route.client.chat.completions.create(
        {
          model: input.model,
          messages,
          ...(sendTools ? { tools: deps.tools.specs() } : {}),
          temperature: input.temperature,
          max_tokens: input.max_tokens,
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: AbortSignal.any([ctx.cancellationSignal, deadline.signal]) },
      );
      opened = true;
      for await (const chunk of completion) {
        if (Date.now() - startedAt >= QUIET_START_MS) ctx.heartbeat(progressNow());
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices[0];
        if (!choice) continue;
        if (choice.finish_reason) finishReason = choice.finish_reason;
        const piece = choice.delta?.content;
        if (piece) {
          content += piece;
          emit({ type: 'message', data: { ...base, content: piece } });
        }
        for (const delta of choice.delta?.tool_calls ?? []) {
          const call = calls.get(delta.index) ?? { id: '', name: '', arguments: '' };
          if (delta.id) call.id = delta.id;
          if (delta.function?.name) call.name += delta.function.name;
          if (delta.function?.arguments) call.arguments += delta.function.arguments;
          calls.set(delta.index, call);
        }
      }
      // The SDK ends an aborted stream quietly: a cancel must still fail the activity as cancelled.
      if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
      if (deadline.signal.aborted) throw new ModelDeadlineError(input);
    } catch (err) {
      const progress = progressNow();
      // Our worker is shutting down (grace time over): a retryable failure hands the call back
      // to another worker; the turn is not cancelled, and the model's failures are not counted.
      if (isWorkerShutdown(ctx.cancellationSignal)) {
        ctx.heartbeat(progress);
        throw ApplicationFailure.retryable(
          'The worker shut down while the model was streaming',
          WORKER_SHUTDOWN_FAILURE_TYPE,
        );
      }
      // Cancelled: hand the partial text back in the failure so the workflow can keep it, and
      // what the attempts consumed so the session's budget counts it.
      if (ctx.cancellationSignal.aborted) {
        modelCallsTotal.inc({ model, outcome: 'cancelled' });
        countSpend(spentNow());
        ctx.log.info('model call cancelled', logFields);
        throw new CancelledFailure('Turn cancelled while the model was streaming', [content, progress.spent ?? null]);
      }
      const failure = deadline.signal.aborted
        ? ApplicationFailure.create({
            type: MODEL_FAILURE_TYPES.unavailable,
            message: new ModelDeadlineError(input).message,
          })
        : classifyModelError(err, input.model);
      const outcome = modelCallOutcome(failure);
      modelCallsTotal.inc({ model, outcome });
      countSpend(spentNow());
      const failures = progress.model_failures + 1;
      ctx.log.warn('model call failed', { ...logFields, outcome, error: failure.message, model_failures: failures });
      if (!(failure instanceof ApplicationFailure)) throw failure;
      const limit = input.model_failure_limit ?? Number.POSITIVE_INFINITY;
      if (failure.nonRetryable || failures >= limit) {
        throw ApplicationFailure.create({
          type: failure.type ?? MODEL_FAILURE_TYPES.unavailable,
          message: failure.nonRetryable ? failure.message : `${failure.message} (failed ${failures} times)`,
          nonRetryable: true,
          details: [progress.spent ?? null],
        });
      }
      // Recorded before the attempt ends, so the next attempt counts on from here.
      ctx.heartbeat({ ...progress, model_failures: failures });
      track(() => ({ ...progress, model_failures: failures }));
      throw failure;
    } finally {
      clearTimeout(deadlineTimer);
    }

    const toolCalls: ModelToolCall[] = [...calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => {
        const tool = deps.tools.get(call.name);
        // Only calls that may wait carry the schema (edited arguments are checked against it): history stays small.
        const needsApproval = !!tool && deps.tools.needsApproval(call.name, call.arguments);
        const mayWait = needsApproval || (!!tool && input.approval === 'always');
        const parameters = mayWait ? deps.tools.parametersOf(call.name) : undefined;
        return {
          ...call,
          id: call.id || `call_${input.turn_id}_${input.step}_${index}`,
          known: !!tool,
          ...(tool
            ? { policy: { maximum_attempts: tool.policy.maximumAttempts, timeout_seconds: tool.policy.timeoutSeconds } }
            : {}),
          ...(needsApproval ? { needs_approval: true } : {}),
          ...(parameters ? { parameters } : {}),
        };
      });
    // Unknown tools never reach an activity (the workflow answers them), so they are counted here.
    for (const call of toolCalls) if (!call.known) toolCallsTotal.inc({ tool: '(unknown)', outcome: 'unknown_tool' });

    // Providers that send no usage still get accounted, from text length, and say so.
    const prompt = usage?.prompt_tokens ?? estimateTokens(JSON.stringify(messages));
    const completion =
      usage?.completion_tokens ?? estimateTokens(content + JSON.stringify(toolCalls.map((c) => c.arguments)));
    const cost = tokenCost(prompt, completion, route.spec.priceInputPer1M, route.spec.priceOutputPer1M);
    modelCallsTotal.inc({ model, outcome: 'ok' });
    countSpend({
      model: input.model,
      prompt_tokens: prompt,
      completion_tokens: completion,
      cost,
      usage_estimated: !usage,
    });
    ctx.log.info('model call finished', {
      ...logFields,
      outcome: 'ok',
      tool_calls: toolCalls.length,
      prompt_tokens: prompt,
      completion_tokens: completion,
      usage_estimated: !usage,
    });
    return {
      model: input.model,
      content,
      tool_calls: toolCalls,
      finish_reason: finishReason,
      prompt_tokens: prompt,
      completion_tokens: completion,
      usage_estimated: !usage,
      cost,
      ...(previous.spent ? { failed_attempts_spend: previous.spent } : {}),
    };
  }
}

/** Tokens and cost in the metrics, for every attempt that consumed any (answered or not). */
function countSpend(spend: ModelSpend | undefined): void {
  if (!spend) return;
  const model = modelLabel(spend.model);
  tokensTotal.inc({ model, kind: 'prompt' }, spend.prompt_tokens);
  tokensTotal.inc({ model, kind: 'completion' }, spend.completion_tokens);
  costUsdTotal.inc({ model }, spend.cost);
}

class ModelDeadlineError extends Error {
  override name = 'ModelDeadlineError';
  constructor(input: CallModelInput) {
    super(`${input.model}: no complete answer within ${input.model_timeout_seconds} seconds`);
  }
}
