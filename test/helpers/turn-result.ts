import type { TurnResult } from '../../src/contract/turn';

/** A finished turn's result with nothing spent and no tools: tests name only what they look at. */
export function turnResult(
  ids: Pick<TurnResult, 'session_id' | 'turn_id'>,
  fields: Partial<TurnResult> = {},
): TurnResult {
  return {
    ...ids,
    status: 'completed',
    response: '',
    tools_used: [],
    model_used: 'fake-model',
    tokens_used: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    cost: 0,
    steps: 1,
    models_tried: [],
    model_calls: [],
    offline_fallback: false,
    created_at: new Date().toISOString(),
    ...fields,
  };
}
