import { readSseEvents, type ReceivedEvent } from './sse-client';
import { describeValue, WaitTimeoutError } from './wait-for';

/**
 * (Live connection for crash tests: events arrive while the test kills processes; see sse-client.ts for whole-stream reads.)
 * A minimal SSE client over fetch for tests: collects events (with their ids) as they arrive,
 * lets a test wait for one, and reports how the stream ended. Events are sse-client's
 * (`dataOf` reads their data as the catalog's type).
 */
export interface SseConnection {
  status: number;
  events: ReceivedEvent[];
  /** Resolves when the server ends the stream or the connection breaks (never rejects). */
  ended: Promise<'ended' | 'broken'>;
  /**
   * Resolves with the first event (already received or future) that matches; rejects, listing
   * the events received, if the stream ends first or the deadline (default 120 s) passes.
   */
  waitFor(match: (e: ReceivedEvent) => boolean, timeoutMs?: number): Promise<ReceivedEvent>;
  lastId(): string | undefined;
  close(): void;
}

export async function openSse(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<SseConnection> {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      accept: 'text/event-stream',
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
    signal: controller.signal,
  });
  const events: ReceivedEvent[] = [];
  const waiters: Array<{ match: (e: ReceivedEvent) => boolean; resolve: (e: ReceivedEvent) => void }> = [];
  const push = (e: ReceivedEvent) => {
    events.push(e);
    for (const w of [...waiters]) {
      if (w.match(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  };
  // Never rejects: a broken connection is an outcome the crash tests look at.
  const ended = readSseEvents(response, (e) => push(e)).then(
    (): 'ended' => 'ended',
    (): 'broken' => 'broken',
  );
  return {
    status: response.status,
    events,
    ended,
    waitFor(match, timeoutMs = 120_000) {
      const found = events.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const received = () =>
          describeValue(events.map((e) => `${e.id ?? '-'} ${e.event} ${JSON.stringify(e.data).slice(0, 80)}`));
        const waiter = {
          match,
          resolve: (e: ReceivedEvent) => {
            clearTimeout(timer);
            resolve(e);
          },
        };
        const giveUp = (why: string) => {
          const index = waiters.indexOf(waiter);
          if (index < 0) return; // already matched
          waiters.splice(index, 1);
          clearTimeout(timer);
          reject(
            new WaitTimeoutError(
              `${url}: ${why} without an event matching ${match.toString()}\nreceived (${events.length}): ${received()}`,
            ),
          );
        };
        const timer = setTimeout(() => giveUp(`no match after ${timeoutMs} ms`), timeoutMs);
        waiters.push(waiter);
        void ended.then((how) => giveUp(`the stream ${how}`));
      });
    },
    lastId: () => [...events].reverse().find((e) => e.id)?.id,
    close: () => controller.abort(),
  };
}
