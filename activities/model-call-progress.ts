import type { CallModelResult, ModelSpend } from '../src/contract/activity-io';

/**
 * What a `callModel` activity carries from one attempt to the next in its heartbeat details:
 * Temporal's attempt counter also counts infrastructure faults (a dead worker, a shutdown, a store
 * write that timed out), so the model's own failures are counted here; the answer, once complete,
 * is kept so a retry publishes it instead of calling (and paying) the model again.
 */
export interface ModelCallProgress {
  /** Failures that were the model's own (429, 5xx, resets, provider timeouts). */
  model_failures: number;
  /** Tokens earlier attempts consumed without an answer. */
  spent?: ModelSpend;
  /** The complete answer, once the model finished streaming. */
  answer?: CallModelResult;
}

/** The previous attempt's progress (its last heartbeat's details), or a fresh start. */
export function progressOf(details: unknown): ModelCallProgress {
  const d = (details ?? {}) as Partial<ModelCallProgress>;
  return {
    model_failures: typeof d.model_failures === 'number' ? d.model_failures : 0,
    ...(d.spent ? { spent: d.spent } : {}),
    ...(d.answer ? { answer: d.answer } : {}),
  };
}

/** Two spends of the same call summed. */
export function addSpend(a: ModelSpend | undefined, b: ModelSpend | undefined): ModelSpend | undefined {
  if (!a || !b) return a ?? b;
  return {
    model: b.model,
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    cost: Math.round((a.cost + b.cost) * 1e6) / 1e6,
    usage_estimated: a.usage_estimated || b.usage_estimated,
  };
}
