/** One server-sent event; `data` is the raw text of its data line. */
export interface SseFrame {
  event: string;
  id?: string;
  data: string;
}

/**
 * The events of a `text/event-stream` body as they arrive, until it ends. Comment lines
 * (keep-alive pings) and the `retry:` hint are skipped.
 */
export async function* sseFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<SseFrame> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.+)$/m.exec(block)?.[1];
      if (!event) continue;
      const id = /^id: (.+)$/m.exec(block)?.[1];
      yield { event, ...(id ? { id } : {}), data: /^data: (.*)$/m.exec(block)?.[1] ?? '' };
    }
  }
}
