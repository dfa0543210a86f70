import { PassThrough } from 'node:stream';
import type { Context } from 'koa';
import type { SessionEvent } from '../../contract/event-catalog';

/**
 * One open `text/event-stream` response. Koa streams the PassThrough; `closed` turns true when
 * the client goes away, so the reader loop can stop (the turn itself goes on).
 */
export class SseChannel {
  private readonly stream = new PassThrough();
  private readonly controller = new AbortController();

  constructor(ctx: Context) {
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.req.socket.setKeepAlive(true);
    ctx.status = 200;
    ctx.set({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    ctx.body = this.stream;
    const onClose = () => this.controller.abort();
    ctx.res.once('close', onClose);
    this.stream.once('close', onClose);
    // Tell the client how long to wait before reconnecting.
    this.stream.write('retry: 1000\n\n');
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get closed(): boolean {
    return this.controller.signal.aborted;
  }

  /** Sends a catalog event; `id` is its Redis stream id (absent for events the API makes itself). */
  send(event: SessionEvent, id?: string): void {
    if (this.closed) return;
    const lines = [id ? `id: ${id}` : '', `event: ${event.type}`, `data: ${JSON.stringify(event.data)}`].filter(
      Boolean,
    );
    this.stream.write(`${lines.join('\n')}\n\n`);
  }

  /** A comment line keeps proxies from closing an idle stream. */
  ping(): void {
    if (!this.closed) this.stream.write(': ping\n\n');
  }

  end(): void {
    if (!this.stream.writableEnded) this.stream.end();
    this.controller.abort();
  }
}
