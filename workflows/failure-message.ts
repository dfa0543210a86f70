import { ActivityFailure, CancelledFailure } from '@temporalio/workflow';
import type { ModelSpend } from '../src/contract/activity-io';

/** The reason a turn failed, as a user can read it: the activity's own error, not its wrapper. */
export function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** The text a cancelled model activity had streamed, which it hands back in its CancelledFailure details. */
export function partialTextOf(err: unknown): string {
  let cause: unknown = err;
  while (cause instanceof ActivityFailure) cause = cause.cause;
  const details = cause instanceof CancelledFailure ? cause.details : [];
  return typeof details[0] === 'string' ? details[0] : '';
}

/** What a cancelled model activity's attempts consumed, which it hands back after the partial text. */
export function partialSpendOf(err: unknown): ModelSpend[] {
  let cause: unknown = err;
  while (cause instanceof ActivityFailure) cause = cause.cause;
  const details = cause instanceof CancelledFailure ? cause.details : [];
  const spend = details[1] as ModelSpend | null | undefined;
  return spend && typeof spend.prompt_tokens === 'number' ? [spend] : [];
}
