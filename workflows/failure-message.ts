import { ActivityFailure, CancelledFailure } from '@temporalio/workflow';

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
