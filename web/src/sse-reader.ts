/** One server-sent event as read from a fetch body (EventSource cannot send an Authorization header). */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** Yields the events of a text/event-stream body until it ends; comment lines (pings) are skipped. */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const parsed: SseEvent = { event: 'message', data: '' };
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (!line || line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') parsed.event = value;
          else if (field === 'data') data.push(value);
          else if (field === 'id') parsed.id = value;
        }
        if (data.length === 0) continue;
        parsed.data = data.join('\n');
        yield parsed;
      }
    }
  } finally {
    reader.releaseLock();
  }
}
