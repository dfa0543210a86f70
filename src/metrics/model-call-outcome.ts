import { MODEL_FAILURE_TYPES } from '../contract/model-failure';

const OUTCOMES: Record<string, string> = {
  [MODEL_FAILURE_TYPES.auth]: 'auth_error',
  [MODEL_FAILURE_TYPES.badRequest]: 'bad_request',
  [MODEL_FAILURE_TYPES.toolsUnsupported]: 'tools_unsupported',
  [MODEL_FAILURE_TYPES.unknownModel]: 'not_configured',
  [MODEL_FAILURE_TYPES.rateLimited]: 'rate_limited',
  [MODEL_FAILURE_TYPES.server]: 'server_error',
  [MODEL_FAILURE_TYPES.unavailable]: 'unavailable',
};

/** The `outcome` label of chat_model_calls_total for a failed call: a short name per failure type, so the label set stays small. */
export function modelCallOutcome(failure: unknown): string {
  const type = (failure as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' ? (OUTCOMES[type] ?? 'error') : 'error';
}
