import { ApplicationFailure } from '@temporalio/common';
import { STORE_BUG_FAILURE_TYPES, type StoreBugFailureType } from '../src/contract/store-failure';

/** SQLite's answer when the schema lacks what a statement names: a bug or a missing migration. */
const SQLITE_SCHEMA_ERROR = /no such (table|column)|has no column named/i;

/** The bug type of a store error, or undefined for an outage (worth retrying). */
function bugTypeOf(err: unknown): StoreBugFailureType | undefined {
  // Duck-typed: a native driver's errors may come from another realm than this module's Error.
  if (typeof err !== 'object' || err === null) return undefined;
  const { name, code, message } = err as { name?: unknown; code?: unknown; message?: unknown };
  if (name === 'ZodError') return STORE_BUG_FAILURE_TYPES.invalidPayload;
  if (code === 'SQLITE_ERROR' && typeof message === 'string' && SQLITE_SCHEMA_ERROR.test(message))
    return STORE_BUG_FAILURE_TYPES.schema;
  return undefined;
}

/**
 * What a store activity throws for `err`: a non-retryable ApplicationFailure of a declared bug
 * type (retrying cannot fix a missing table), else `err` itself, which Temporal retries until
 * the dependency is back (connection refused, timeouts, SQLITE_BUSY).
 */
function storeFailureOf(err: unknown): unknown {
  const type = bugTypeOf(err);
  if (!type) return err;
  const { message } = err as Error;
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** Runs a store write, classifying its error with `storeFailureOf`. */
export async function classifyStoreErrors<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    throw storeFailureOf(err);
  }
}
