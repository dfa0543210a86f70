export interface SseFrame {
  event: string;
  id?: string;
  data: any;
}

/**
 * Reads a text/event-stream response to its end, calling `onFrame` as each event arrives
 * (comment lines and the `retry:` hint are skipped). Returns every frame in order.
 */
export async function readSse(
  response: Response,
  onFrame: (frame: SseFrame) => Promise<void> | void = () => undefined,
): Promise<SseFrame[]> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const frames: SseFrame[] = [];
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return frames;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!event || data === undefined) continue;
      const id = /^id: (.*)$/m.exec(block)?.[1];
      const frame: SseFrame = { event, ...(id ? { id } : {}), data: JSON.parse(data) };
      frames.push(frame);
      await onFrame(frame);
    }
  }
}
