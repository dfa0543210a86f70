/**
 * Failure types of a store activity (`archiveTurn`, `mirrorSession`, `publishEvents`,
 * `recordSessionEnd`) that no retry can fix: bugs, not outages. The activities throw these as
 * non-retryable ApplicationFailures; everything else (connection refused, timeouts, SQLITE_BUSY,
 * a Redis stall) is retried until the dependency is back.
 */
export const STORE_BUG_FAILURE_TYPES = {
  /** The database lacks a table or column the code expects (migrations not run, wrong file). */
  schema: 'StoreSchemaError',
  /** The activity's input or a stored value fails its schema (zod). */
  invalidPayload: 'StoreInvalidPayload',
} as const;

export type StoreBugFailureType = (typeof STORE_BUG_FAILURE_TYPES)[keyof typeof STORE_BUG_FAILURE_TYPES];

/** The list form, for a retry policy's `nonRetryableErrorTypes`. */
export const STORE_BUG_FAILURE_TYPE_LIST: StoreBugFailureType[] = Object.values(STORE_BUG_FAILURE_TYPES);
