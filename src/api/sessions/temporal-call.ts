import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApiError, DependencyUnavailableError } from '../../errors';

/**
 * Runs a Temporal call; a transport failure becomes 503. Our own errors, WorkflowNotFoundError and
 * WorkflowExecutionAlreadyStartedError pass through: callers decide whether a missing (or existing)
 * workflow is a 404, a 410 or nothing at all.
 */
export async function temporalCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (
      err instanceof ApiError ||
      err instanceof WorkflowNotFoundError ||
      err instanceof WorkflowExecutionAlreadyStartedError
    )
      throw err;
    throw new DependencyUnavailableError('temporal', (err as Error).message);
  }
}
