/**
 * Failure types the `callModel` activity sets on its ApplicationFailures; the workflow's
 * fallback chain decides from them whether to retry, move on or stop.
 */
export const MODEL_FAILURE_TYPES = {
  auth: 'ModelAuthError',
  badRequest: 'ModelBadRequestError',
  toolsUnsupported: 'ModelToolsUnsupportedError',
  unknownModel: 'ModelNotConfiguredError',
  rateLimited: 'ModelRateLimitedError',
  server: 'ModelServerError',
  unavailable: 'ModelUnavailableError',
} as const;
export type ModelFailureType = (typeof MODEL_FAILURE_TYPES)[keyof typeof MODEL_FAILURE_TYPES];

/** Failures a retry of the same model cannot fix. */
export const NON_RETRYABLE_MODEL_FAILURES: ModelFailureType[] = [
  MODEL_FAILURE_TYPES.auth,
  MODEL_FAILURE_TYPES.badRequest,
  MODEL_FAILURE_TYPES.toolsUnsupported,
  MODEL_FAILURE_TYPES.unknownModel,
];

/** A failure that stops the whole chain: more models cannot fix an invalid API key. */
export const CHAIN_STOPPING_MODEL_FAILURE: ModelFailureType = MODEL_FAILURE_TYPES.auth;

/** Failure type of an attempt interrupted by its worker's shutdown (retried elsewhere). */
export const WORKER_SHUTDOWN_FAILURE_TYPE = 'WorkerShutdownError';
