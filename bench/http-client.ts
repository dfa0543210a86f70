import { sseFrames } from '../dev/sse-frames';
import { elapsedMs } from './stats';

/**
 * A JSON text as `T`, the shape its endpoint documents. Unchecked: only for bodies of the stack the
 * bench started itself, whose shapes come from the server's own types (bench/api-responses.ts).
 */
function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** The JSON body of `res` as `T`, the shape its endpoint documents (unchecked, like `parseJson`). */
export async function readJson<T>(res: Response): Promise<T> {
  return parseJson<T>(await res.text());
}

/** A timed request: `ms` until the whole body arrived, `json` its parsed body. */
export interface TimedResponse<T> {
  ms: number;
  status: number;
  json: T;
}

/**
 * The bench's client calls, timed from just before the request to the awaited moment. `T` is the
 * body the endpoint answers on success: every endpoint the bench POSTs to answers JSON, so a status
 * of 300 or more throws, and so does an empty or non-JSON body.
 */
export async function timedPost<T = unknown>(url: string, body: unknown): Promise<TimedResponse<T>> {
  const start = process.hrtime.bigint();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const ms = elapsedMs(start);
  if (res.status >= 300) throw new Error(`POST ${url} → ${res.status}: ${text.slice(0, 300)}`);
  if (!text) throw new Error(`POST ${url} → ${res.status}: empty body, JSON expected`);
  return { ms, status: res.status, json: parseJson<T>(text) };
}

export interface StreamTiming {
  /** Until the first `message` event (the first token). */
  firstTokenMs: number;
  /** Until the stream ended. */
  totalMs: number;
  tokens: number;
  lastEvent: string;
}

/** POSTs to an SSE endpoint and reads events until the stream ends. */
export async function timedStream(url: string, body: unknown): Promise<StreamTiming> {
  const start = process.hrtime.bigint();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200 || !res.body)
    throw new Error(`POST ${url} → ${res.status}: ${(await res.text()).slice(0, 300)}`);
  let firstTokenMs = -1;
  let tokens = 0;
  let lastEvent = '';
  for await (const frame of sseFrames(res.body)) {
    lastEvent = frame.event;
    if (frame.event === 'message') {
      tokens++;
      if (firstTokenMs < 0) firstTokenMs = elapsedMs(start);
    }
  }
  return { firstTokenMs, totalMs: elapsedMs(start), tokens, lastEvent };
}

/** Runs `task` for each index with at most `concurrency` at once. */
export async function forEachLimited(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}
