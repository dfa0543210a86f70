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
import type { SessionEvent } from '../src/contract/event-catalog';
import type { CallModelInput, CallModelResult, ModelToolCall } from '../src/contract/activity-io';

export interface CallModelDeps {
  models: ModelRouter;
  tools: ToolRegistry;
  events: SessionEventStream;
  snapshots: SessionSnapshotStore;
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

/** The SDK aborts running activities with reason `WORKER_SHUTDOWN` once the shutdown grace time is over. */
export function isWorkerShutdown(signal: AbortSignal): boolean {
  const reason: unknown = signal.reason;
  return signal.aborted && reason instanceof CancelledFailure && reason.message === 'WORKER_SHUTDOWN';
}

/** No per-chunk heartbeats in an attempt's first moments (cancellation waits at most this long more). */
const QUIET_START_MS = 250;

/**
 * One model attempt, streamed: each content chunk goes to the session's Redis stream (never
 * through workflow history) and heartbeats, so a cancelled turn aborts the HTTP request.
 * A retried attempt first emits `reset` so clients drop the partial text; the first call to a
 * fallback model emits `model_switched`.
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
    if (ctx.info.attempt > 1) emit({ type: 'reset', data: { ...base, reason: 'retry' } });
    const userMessage = [...input.messages].reverse().find((m) => m.role === 'user')?.content ?? undefined;
    const live = (phase: 'model' | 'tools') =>
      writes.push(
        deps.snapshots.setLive(input.session_id, {
          turn_id: input.turn_id,
          step: input.step,
          phase,
          model: input.model,
          user_message: userMessage,
          updated_at: new Date().toISOString(),
        }),
      );
    live('model');

    const messages = toOpenAiMessages(input.messages);
    const sendTools = input.use_tools && route.spec.supportsTools;
    let content = '';
    let finishReason: string | null = null;
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    // Heartbeat while the provider thinks before its first chunk too: the heartbeat timeout is
    // how a dead worker is noticed, so a slow (but alive) model must not look dead.
    const beat = setInterval(() => ctx.heartbeat(), 1000);
    // A heartbeat is a server round trip the completion waits behind: a quick answer needs none.
    const startedAt = Date.now();
    try {
      const stream = await route.client.chat.completions.create(
        {
          model: input.model,
          messages,
          ...(sendTools ? { tools: deps.tools.specs() } : {}),
          temperature: input.temperature,
          max_tokens: input.max_tokens,
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: ctx.cancellationSignal },
      );
      for await (const chunk of stream) {
        if (Date.now() - startedAt >= QUIET_START_MS) ctx.heartbeat();
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
    } catch (err) {
      await Promise.allSettled([...writes, batch.drain()]);
      // Our worker is shutting down (grace time over): a retryable failure hands the call back
      // to another worker; the turn is not cancelled.
      if (isWorkerShutdown(ctx.cancellationSignal)) {
        throw ApplicationFailure.retryable(
          'The worker shut down while the model was streaming',
          WORKER_SHUTDOWN_FAILURE_TYPE,
        );
      }
      // Cancelled: hand the partial text back in the failure so the workflow can keep it.
      if (ctx.cancellationSignal.aborted) {
        modelCallsTotal.inc({ model, outcome: 'cancelled' });
        ctx.log.info('model call cancelled', logFields);
        throw new CancelledFailure('Turn cancelled while the model was streaming', [content]);
      }
      const failure = classifyModelError(err, input.model);
      const outcome = modelCallOutcome(failure);
      modelCallsTotal.inc({ model, outcome });
      ctx.log.warn('model call failed', { ...logFields, outcome, error: failure.message });
      throw failure;
    } finally {
      clearInterval(beat);
    }

    const toolCalls: ModelToolCall[] = [...calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => {
        const tool = deps.tools.get(call.name);
        return {
          ...call,
          id: call.id || `call_${input.turn_id}_${input.step}_${index}`,
          known: !!tool,
          ...(tool
            ? { policy: { maximum_attempts: tool.policy.maximumAttempts, timeout_seconds: tool.policy.timeoutSeconds } }
            : {}),
        };
      });
    for (const call of toolCalls)
      emit({ type: 'tool_call', data: { ...base, id: call.id, name: call.name, arguments: call.arguments } });
    // Unknown tools never reach an activity (the workflow answers them), so they are counted here.
    for (const call of toolCalls) if (!call.known) toolCallsTotal.inc({ tool: '(unknown)', outcome: 'unknown_tool' });
    if (toolCalls.length > 0) live('tools');
    await Promise.all([...writes, batch.drain()]);

    // Providers that send no usage still get accounted, from text length, and say so.
    const promptTokens = usage?.prompt_tokens ?? estimateTokens(JSON.stringify(messages));
    const completionTokens =
      usage?.completion_tokens ?? estimateTokens(content + JSON.stringify(toolCalls.map((c) => c.arguments)));
    const cost = tokenCost(promptTokens, completionTokens, route.spec.priceInputPer1M, route.spec.priceOutputPer1M);
    modelCallsTotal.inc({ model, outcome: 'ok' });
    tokensTotal.inc({ model, kind: 'prompt' }, promptTokens);
    tokensTotal.inc({ model, kind: 'completion' }, completionTokens);
    costUsdTotal.inc({ model }, cost);
    ctx.log.info('model call finished', {
      ...logFields,
      outcome: 'ok',
      tool_calls: toolCalls.length,
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      usage_estimated: !usage,
    });
    return {
      model: input.model,
      content,
      tool_calls: toolCalls,
      finish_reason: finishReason,
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      usage_estimated: !usage,
      cost,
    };
  };
}
