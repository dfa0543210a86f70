import { inspect } from 'node:util';

/**
 * Polling with a deadline for tests. Nothing here measures time as a result: the deadline only
 * turns a condition that never comes true into a failure that says what it waited for and what
 * it last saw (value and error), instead of a bare jest timeout.
 */
export interface WaitOptions {
  /** Give up after this long (default 30 s, below jest's default test timeout). */
  timeoutMs?: number;
  /** Pause between probes (default 150 ms). */
  intervalMs?: number;
  /** What is awaited, for the error message. */
  what?: string;
}

export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

const NOTHING = Symbol('nothing read yet');

export function describeValue(value: unknown): string {
  if (value === NOTHING) return '(no probe finished)';
  const text = inspect(value, { depth: 6, breakLength: Infinity, maxArrayLength: 50, maxStringLength: 500 });
  return text.length > 3000 ? `${text.slice(0, 3000)}… (${text.length} characters)` : text;
}

/**
 * Reads `read` until `done(value)` holds and returns that value. A read that throws counts as
 * not yet. At the deadline it throws a WaitTimeoutError with the last value read and the last
 * error thrown.
 */
export async function waitUntil<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  options: WaitOptions = {},
): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 150, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let last: T | typeof NOTHING = NOTHING;
  let lastError: unknown;
  let probes = 0;
  for (;;) {
    probes++;
    try {
      const value = await read();
      last = value;
      if (done(value)) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const error =
        lastError === undefined
          ? ''
          : `\nlast error: ${lastError instanceof Error ? (lastError.stack ?? lastError.message) : describeValue(lastError)}`;
      throw new WaitTimeoutError(
        `gave up waiting for ${what} after ${timeoutMs} ms (${probes} probes)\nlast value: ${describeValue(last)}${error}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Polls `probe` until it returns something other than undefined and returns that. Prefer
 * `waitUntil` when there is a value worth reporting on failure (a count, a state).
 * `options` may be the timeout in ms.
 */
export function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  options: WaitOptions | number = {},
): Promise<T> {
  const opts = typeof options === 'number' ? { timeoutMs: options } : options;
  return waitUntil(probe, (value) => value !== undefined, opts) as Promise<T>;
}
