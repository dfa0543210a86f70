/** How long one try of a store write may take before it is abandoned and tried again. */
const TRY_TIMEOUT_MS = 5_000;
const MAX_BACKOFF_MS = 5_000;

export class WriteAbortedError extends Error {
  override name = 'WriteAbortedError';
}

/**
 * Runs `write` until it succeeds: a store that is down or stalls delays the caller (which keeps
 * heartbeating) instead of failing it, so an activity whose expensive part is done never loses
 * that work to a store outage. `retry` is the write to run after a failure (e.g. a whole
 * republish); it stops only when `signal` aborts.
 */
export async function writeUntilDone(
  write: () => Promise<unknown>,
  retry: () => Promise<unknown>,
  signal: AbortSignal,
  onFailure?: (err: unknown, tries: number) => void,
): Promise<void> {
  let attempt = write;
  for (let tries = 1; ; tries++) {
    try {
      await withTimeout(attempt(), TRY_TIMEOUT_MS);
      return;
    } catch (err) {
      onFailure?.(err, tries);
    }
    await sleep(Math.min(MAX_BACKOFF_MS, 100 * 2 ** tries), signal);
    attempt = retry;
  }
}

function withTimeout(work: Promise<unknown>, ms: number): Promise<unknown> {
  work.catch(() => undefined); // an abandoned try must not become an unhandled rejection
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`store write took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new WriteAbortedError('aborted'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new WriteAbortedError('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
