import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  proxyActivities,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { CallModelInput, ModelSpend, SessionActivities, TurnFinish } from '../src/contract/activity-io';
import { CHAIN_STOPPING_MODEL_FAILURE, NON_RETRYABLE_MODEL_FAILURES } from '../src/contract/model-failure';
import type { ChainModel, SessionSettings } from '../src/contract/session';
import type { ModelAttempt } from '../src/contract/turn';
import { TurnUsage, type ModelChainAnswer } from '../src/contract/turn-usage';
import type { ChatMessage } from '../src/contract/chat-message';
import { withInlineFallback } from './history-by-reference';

export class ModelChainFailure extends Error {
  override name = 'ModelChainFailure';
  constructor(
    message: string,
    readonly attempts: ModelAttempt[],
    /** What the failed models consumed (billed although they did not answer). */
    readonly spent: ModelSpend[] = [],
  ) {
    super(message);
  }
}

function describeFailure(err: unknown): { type: string; message: string; spent?: ModelSpend } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    // callModel's final failure carries what its attempts consumed.
    const spent = (cause.details?.[0] ?? undefined) as ModelSpend | undefined;
    return { type: cause.type ?? 'ApplicationFailure', message: cause.message, ...(spent ? { spent } : {}) };
  }
  return { type: (cause as Error)?.name ?? 'Error', message: (cause as Error)?.message ?? String(cause) };
}

/** Room after the model's own deadline for the writes that publish its answer. */
const PUBLISH_MARGIN_SECONDS = 30;

/** The turn's end as the call gets it: its usage with the models this chain tried (and what they spent) before this one. */
function finishAfter(finish: TurnFinish, step: number, attempts: ModelAttempt[], spent: ModelSpend[]): TurnFinish {
  const usage = TurnUsage.from(finish.usage);
  usage.recordAttempts(step, attempts);
  usage.recordSpent(step, spent, 'failed');
  return { ...finish, usage: usage.record() };
}

/** The requested model first (if it is in the chain), then the rest in configured order. */
export function orderModels(models: ChainModel[], requested: string | undefined): ChainModel[] {
  const first = requested ? models.find((m) => m.name === requested) : undefined;
  return first ? [first, ...models.filter((m) => m !== first)] : models;
}

/**
 * Walks the fallback chain: each model is one `callModel` activity with its own retries (so
 * the Web UI shows every model tried, with a summary naming it). 401/403 stops the models on the
 * same provider and key (the whole chain when the settings do not say which); a model without tool
 * support is skipped when tools are needed; anything else moves on. Temporal retries an attempt
 * without limit: the activity counts only the model's own failures (`model_failure_limit`), so a
 * dead worker or a store outage never moves the chain on.
 */
export async function callModelChain(
  settings: SessionSettings,
  input: Omit<
    CallModelInput,
    'model' | 'previous_model' | 'previous_error' | 'offline_fallback' | 'model_failure_limit' | 'model_timeout_seconds'
  >,
  requested: string | undefined,
  /** Models that already failed earlier in this turn: not tried again on later steps. */
  failedThisTurn: Set<string> = new Set(),
  /** The whole context inline, sent instead when `input` refers to messages the stores lost. */
  inlineContext?: ChatMessage[],
): Promise<ModelChainAnswer> {
  const options = (): ActivityOptions => ({
    startToCloseTimeout: `${settings.model_timeout_seconds + PUBLISH_MARGIN_SECONDS} seconds`,
    // A dead worker stops heartbeating: the attempt is retried elsewhere after this, not after startToClose.
    heartbeatTimeout: `${settings.model_heartbeat_timeout_seconds ?? 30} seconds`,
    // Wait for the activity to stop streaming, so no token lands after the `cancelled` event.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      initialInterval: settings.model_retry_initial_ms,
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      maximumAttempts: Number.POSITIVE_INFINITY,
      nonRetryableErrorTypes: NON_RETRYABLE_MODEL_FAILURES,
    },
  });
  const { callModel } = proxyActivities<Pick<SessionActivities, 'callModel'>>(options());
  const attempts: ModelAttempt[] = [];
  const spent: ModelSpend[] = [];
  /** Providers (endpoint + key) that answered 401/403 this turn. */
  const refusedProviders = new Set<string>();
  let previous: { model: string; error: string } | undefined;

  const call = (
    model: string,
    offlineFallback: boolean,
    messages: Pick<CallModelInput, 'messages' | 'history_turns' | 'turn_messages'>,
  ) =>
    callModel.executeWithOptions(
      {
        ...options(),
        summary: `callModel ${model} (step ${input.step})${previous ? ` after ${previous.model} → ${previous.error}` : ''}`,
      },
      [
        {
          ...input,
          ...messages,
          // Inline (the stores lost a reference) the call cannot load the turn's messages to archive them.
          finish:
            input.finish && messages.turn_messages ? finishAfter(input.finish, input.step, attempts, spent) : undefined,
          model,
          previous_model: previous?.model,
          previous_error: previous?.error,
          offline_fallback: offlineFallback,
          model_failure_limit: offlineFallback ? 2 : settings.model_max_attempts,
          model_timeout_seconds: settings.model_timeout_seconds,
        },
      ],
    );
  const { messages, history_turns, turn_messages } = input;
  const attempt = (model: string, offlineFallback: boolean) =>
    inlineContext
      ? withInlineFallback(
          () => call(model, offlineFallback, { messages, history_turns, turn_messages }),
          () =>
            call(model, offlineFallback, {
              messages: inlineContext,
              history_turns: undefined,
              turn_messages: undefined,
            }),
        )
      : call(model, offlineFallback, { messages, history_turns, turn_messages });

  for (const model of orderModels(settings.models, requested)) {
    if (input.use_tools && !model.supports_tools) {
      attempts.push({ model: model.name, outcome: 'skipped_no_tools' });
      continue;
    }
    if (failedThisTurn.has(model.name)) continue;
    // Same provider and key as a model that got 401/403: it would be refused too.
    if (model.provider && refusedProviders.has(model.provider)) continue;
    try {
      const result = await attempt(model.name, false);
      attempts.push({ model: model.name, outcome: 'answered' });
      return { result, attempts, offlineFallback: false, spent };
    } catch (err) {
      if (isCancellation(err)) throw err;
      const failure = describeFailure(err);
      if (failure.spent) spent.push(failure.spent);
      attempts.push({ model: model.name, outcome: 'failed', error_type: failure.type, error: failure.message });
      if (failure.type === CHAIN_STOPPING_MODEL_FAILURE) {
        // Settings that do not say which provider a model is on: no other model can be trusted.
        if (!model.provider) {
          throw new ModelChainFailure(
            `${failure.message}. Stopped the model chain: more models cannot fix an invalid API key.`,
            attempts,
            spent,
          );
        }
        refusedProviders.add(model.provider);
      }
      failedThisTurn.add(model.name);
      previous = { model: model.name, error: failure.type };
    }
  }

  const failed = attempts.filter((a) => a.outcome === 'failed');
  if (failed.length > 0 && failed.every((a) => a.error_type === CHAIN_STOPPING_MODEL_FAILURE)) {
    throw new ModelChainFailure(
      `${failed[0].error}. Stopped the model chain: every model left uses a provider and API key that was refused.`,
      attempts,
      spent,
    );
  }
  if (settings.offline_fallback_model) {
    const result = await attempt(settings.offline_fallback_model, true);
    attempts.push({ model: settings.offline_fallback_model, outcome: 'answered' });
    return { result, attempts, offlineFallback: true, spent };
  }
  const tried = attempts
    .map((a) => `${a.model}: ${a.outcome === 'failed' ? `${a.error_type} (${a.error})` : a.outcome}`)
    .join('; ');
  throw new ModelChainFailure(`All models failed. ${tried}`, attempts, spent);
}
