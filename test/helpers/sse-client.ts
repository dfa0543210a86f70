import { readSessionEvent, type EventData, type EventName, type SessionEvent } from '../../src/contract/event-catalog';
import { parseJson, type ErrorBody } from './http';

/**
 * A minimal `text/event-stream` reader for tests: opens the request with fetch, parses events
 * as they arrive, and can stop early to imitate a client that drops. Events keep their data as
 * sent (`unknown`); `dataOf` reads it as the catalog's type for that event name.
 */
export interface ReceivedEvent {
  id?: string;
  event: string;
  /** The data line parsed as JSON (its raw text when it is not JSON). */
  data: unknown;
}

export interface SseRequest {
  method?: 'GET' | 'POST';
  body?: unknown;
  headers?: Record<string, string>;
}

export interface SseResponse {
  status: number;
  contentType: string | null;
  /** The JSON body when the server answered without a stream (an error). */
  errorBody?: ErrorBody;
  events: ReceivedEvent[];
}

/**
 * The data of `event` (received over SSE, or a catalog event) as the catalog's type for one of
 * `names`. Throws, naming what it got, when the event is another or its data does not fit the
 * catalog's schema for it.
 */
export function dataOf<N extends EventName>(event: ReceivedEvent | SessionEvent, ...names: N[]): EventData<N> {
  const name = 'type' in event ? event.type : event.event;
  const typed = readSessionEvent(name, event.data);
  if (!typed || !(names as string[]).includes(typed.type))
    throw new Error(
      `expected a ${names.join(' or ')} event of the catalog, got ${name}: ${JSON.stringify(event.data)}`,
    );
  return typed.data as EventData<N>;
}

/** The events named `name`. */
export function byType(events: ReceivedEvent[], name: EventName): ReceivedEvent[] {
  return events.filter((e) => e.event === name);
}

/** One event block (the text between blank lines), or undefined for a comment or keep-alive. */
export function parseSseBlock(block: string): ReceivedEvent | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  let sawField = false;
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else continue;
    sawField = true;
  }
  if (!sawField || data.length === 0) return undefined;
  const text = data.join('\n');
  let parsed: unknown = text;
  try {
    parsed = parseJson<unknown>(text);
  } catch {
    // Not JSON: keep the raw text.
  }
  return { ...(id === undefined ? {} : { id }), event, data: parsed };
}

/**
 * Reads the events of an SSE response as they arrive. `onEvent` runs for each; when it returns
 * (or resolves to) true, reading stops and the events so far are returned (the caller drops
 * the connection).
 */
export async function readSseEvents(
  response: Response,
  onEvent: (event: ReceivedEvent, all: ReceivedEvent[]) => unknown = () => false,
): Promise<ReceivedEvent[]> {
  const events: ReceivedEvent[] = [];
  if (!response.body) return events;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n/g, '\n');
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) >= 0) {
      const event = parseSseBlock(buffer.slice(0, boundary));
      buffer = buffer.slice(boundary + 2);
      if (!event) continue;
      events.push(event);
      if ((await onEvent(event, events)) === true) return events;
    }
  }
  return events;
}

/**
 * Reads the stream until it ends or `stopWhen` says so (then the connection is dropped).
 * `onEvent` runs for each event as it arrives, before `stopWhen`.
 */
export async function readSse(
  url: string,
  request: SseRequest = {},
  options: {
    stopWhen?: (event: ReceivedEvent, all: ReceivedEvent[]) => boolean;
    onEvent?: (event: ReceivedEvent) => void | Promise<void>;
    timeoutMs?: number;
  } = {},
): Promise<SseResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 60_000);
  const response = await fetch(url, {
    method: request.method ?? (request.body === undefined ? 'GET' : 'POST'),
    headers: {
      accept: 'text/event-stream',
      ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...request.headers,
    },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    signal: controller.signal,
  });
  const contentType = response.headers.get('content-type');
  if (!contentType?.startsWith('text/event-stream')) {
    clearTimeout(timer);
    const text = await response.text();
    return {
      status: response.status,
      contentType,
      errorBody: text ? parseJson<ErrorBody>(text) : undefined,
      events: [],
    };
  }
  const events: ReceivedEvent[] = [];
  try {
    await readSseEvents(response, async (event, all) => {
      events.push(event);
      await options.onEvent?.(event);
      return options.stopWhen?.(event, all) ?? false;
    });
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    // Stopped early (or timed out): drop the connection like a client that goes away.
    controller.abort();
  }
  return { status: response.status, contentType, events };
}

/** The text a client shows: message chunks, with everything before the last `reset` of each step dropped. */
export function visibleText(events: ReceivedEvent[]): string {
  let text = '';
  for (const e of events) {
    if (e.event === 'reset') text = '';
    if (e.event === 'message') text += dataOf(e, 'message').content;
  }
  return text;
}
