import { CancelledFailure } from '@temporalio/common';

/** The SDK aborts running activities with reason `WORKER_SHUTDOWN` once the shutdown grace time is over. */
export function isWorkerShutdown(signal: AbortSignal): boolean {
  const reason: unknown = signal.reason;
  return signal.aborted && reason instanceof CancelledFailure && reason.message === 'WORKER_SHUTDOWN';
}
