import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  proxyActivities,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { CallModelInput, CallModelResult, SessionActivities } from '../src/contract/activity-io';
import { CHAIN_STOPPING_MODEL_FAILURE, NON_RETRYABLE_MODEL_FAILURES } from '../src/contract/model-failure';
import type { ChainModel, SessionSettings } from '../src/contract/session';
import type { ModelAttempt } from '../src/contract/turn';

export class ModelChainFailure extends Error {
  override name = 'ModelChainFailure';
  constructor(
    message: string,
    readonly attempts: ModelAttempt[],
  ) {
    super(message);
  }
}

/** The answer of the first model in the chain that answered, and every model tried on the way. */
export interface ModelChainAnswer {
  result: CallModelResult;
  attempts: ModelAttempt[];
  /** The offline model answered because every configured model failed. */
  offlineFallback: boolean;
}

function describeFailure(err: unknown): { type: string; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'ApplicationFailure', message: cause.message };
  return { type: (cause as Error)?.name ?? 'Error', message: (cause as Error)?.message ?? String(cause) };
}

/** The requested model first (if it is in the chain), then the rest in configured order. */
export function orderModels(models: ChainModel[], requested: string | undefined): ChainModel[] {
  const first = requested ? models.find((m) => m.name === requested) : undefined;
  return first ? [first, ...models.filter((m) => m !== first)] : models;
}

/**
 * Walks the fallback chain: each model is one `callModel` activity with its own retries (so
 * the Web UI shows every model tried, with a summary naming it). 401/403 stops the chain; a
 * model without tool support is skipped when tools are needed; anything else moves on.
 */
export async function callModelChain(
  settings: SessionSettings,
  input: Omit<CallModelInput, 'model' | 'previous_model' | 'previous_error' | 'offline_fallback'>,
  requested: string | undefined,
  /** Models that already failed earlier in this turn: not tried again on later steps. */
  failedThisTurn: Set<string> = new Set(),
): Promise<ModelChainAnswer> {
  const options = (maximumAttempts: number): ActivityOptions => ({
    startToCloseTimeout: `${settings.model_timeout_seconds} seconds`,
    // A dead worker stops heartbeating: the attempt is retried elsewhere after this, not after startToClose.
    heartbeatTimeout: `${settings.model_heartbeat_timeout_seconds ?? 30} seconds`,
    // Wait for the activity to stop streaming, so no token lands after the `cancelled` event.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      initialInterval: settings.model_retry_initial_ms,
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      maximumAttempts,
      nonRetryableErrorTypes: NON_RETRYABLE_MODEL_FAILURES,
    },
  });
  const { callModel } = proxyActivities<Pick<SessionActivities, 'callModel'>>(options(settings.model_max_attempts));
  const attempts: ModelAttempt[] = [];
  let previous: { model: string; error: string } | undefined;

  const attempt = async (model: string, offlineFallback: boolean) =>
    callModel.executeWithOptions(
      {
        ...options(offlineFallback ? 2 : settings.model_max_attempts),
        summary: `callModel ${model} (step ${input.step})${previous ? ` after ${previous.model} → ${previous.error}` : ''}`,
      },
      [
        {
          ...input,
          model,
          previous_model: previous?.model,
          previous_error: previous?.error,
          offline_fallback: offlineFallback,
        },
      ],
    );

  for (const model of orderModels(settings.models, requested)) {
    if (input.use_tools && !model.supports_tools) {
      attempts.push({ model: model.name, outcome: 'skipped_no_tools' });
      continue;
    }
    if (failedThisTurn.has(model.name)) continue;
    try {
      const result = await attempt(model.name, false);
      attempts.push({ model: model.name, outcome: 'answered' });
      return { result, attempts, offlineFallback: false };
    } catch (err) {
      if (isCancellation(err)) throw err;
      const failure = describeFailure(err);
      attempts.push({ model: model.name, outcome: 'failed', error_type: failure.type, error: failure.message });
      if (failure.type === CHAIN_STOPPING_MODEL_FAILURE) {
        throw new ModelChainFailure(
          `${failure.message}. Stopped the model chain: more models cannot fix an invalid API key.`,
          attempts,
        );
      }
      failedThisTurn.add(model.name);
      previous = { model: model.name, error: failure.type };
    }
  }

  if (settings.offline_fallback_model) {
    const result = await attempt(settings.offline_fallback_model, true);
    attempts.push({ model: settings.offline_fallback_model, outcome: 'answered' });
    return { result, attempts, offlineFallback: true };
  }
  const tried = attempts
    .map((a) => `${a.model}: ${a.outcome === 'failed' ? `${a.error_type} (${a.error})` : a.outcome}`)
    .join('; ');
  throw new ModelChainFailure(`All models failed. ${tried}`, attempts);
}
