/**
 * A minimal `text/event-stream` reader for tests: opens the request with fetch, parses events
 * as they arrive, and can stop early to imitate a client that drops.
 */
export interface ReceivedEvent {
  id?: string;
  event: string;
  data: any;
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
  errorBody?: any;
  events: ReceivedEvent[];
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
  const events: ReceivedEvent[] = [];
  if (!contentType?.startsWith('text/event-stream')) {
    clearTimeout(timer);
    const text = await response.text();
    return { status: response.status, contentType, errorBody: text ? JSON.parse(text) : undefined, events };
  }
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let boundary: number;
      while ((boundary = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const event = parseBlock(block);
        if (!event) continue;
        events.push(event);
        await options.onEvent?.(event);
        if (options.stopWhen?.(event, events)) {
          controller.abort();
          return { status: response.status, contentType, events };
        }
      }
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
  }
  return { status: response.status, contentType, events };
}

function parseBlock(block: string): ReceivedEvent | undefined {
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
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: keep the raw text.
  }
  return { id, event, data: parsed };
}

/** The text a client shows: message chunks, with everything before the last `reset` of each step dropped. */
export function visibleText(events: ReceivedEvent[]): string {
  let text = '';
  for (const e of events) {
    if (e.event === 'reset') text = '';
    if (e.event === 'message') text += String(e.data.content ?? '');
  }
  return text;
}
