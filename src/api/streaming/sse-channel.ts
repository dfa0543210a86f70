import { PassThrough } from 'node:stream';
import type { Context } from 'koa';
import type { SessionEvent } from '../../contract/event-catalog';

export interface SseChannelOptions {
  /** How long a full send buffer may wait for the client to read before it counts as a slow consumer. */
  drainTimeoutMs: number;
}

/**
 * One open `text/event-stream` response. Koa streams the PassThrough; `signal` aborts when the
 * stream is over for any reason (the reader loop stops, the turn itself goes on); `clientGone`
 * only when the client left before the server ended the stream (not after the turn's last event,
 * not on shutdown, not when dropped as a slow consumer).
 */
export class SseChannel {
  private readonly stream = new PassThrough();
  private readonly stopped = new AbortController();
  private readonly departed = new AbortController();
  private endedHere = false;
  private lastId: string | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly options: SseChannelOptions,
  ) {
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
    const onClose = () => {
      if (!this.endedHere) this.departed.abort();
      this.stopped.abort();
    };
    ctx.res.once('close', onClose);
    this.stream.once('close', onClose);
    // Tell the client how long to wait before reconnecting.
    this.stream.write('retry: 1000\n\n');
  }

  get signal(): AbortSignal {
    return this.stopped.signal;
  }

  /** Aborts only when the client disconnected before the server ended the stream. */
  get clientGone(): AbortSignal {
    return this.departed.signal;
  }

  get closed(): boolean {
    return this.stopped.signal.aborted;
  }

  /**
   * Sends a catalog event; `id` is its Redis stream id (absent for events the API makes itself).
   * False when the client is not keeping up: wait for `drained()` before sending more.
   */
  send(event: SessionEvent, id?: string): boolean {
    if (this.closed) return true;
    if (id) this.lastId = id;
    const lines = [id ? `id: ${id}` : '', `event: ${event.type}`, `data: ${JSON.stringify(event.data)}`].filter(
      Boolean,
    );
    return this.stream.write(`${lines.join('\n')}\n\n`);
  }

  /** True once what was sent flowed on to the client; false when it did not within the drain timeout or the stream closed. */
  drained(): Promise<boolean> {
    if (!this.stream.writableNeedDrain) return Promise.resolve(!this.closed);
    return new Promise((resolve) => {
      const settle = (ok: boolean) => {
        clearTimeout(timer);
        this.stream.off('drain', onDrain);
        this.stopped.signal.removeEventListener('abort', onStop);
        resolve(ok);
      };
      const onDrain = () => settle(true);
      const onStop = () => settle(false);
      const timer = setTimeout(() => settle(false), this.options.drainTimeoutMs);
      this.stream.once('drain', onDrain);
      this.stopped.signal.addEventListener('abort', onStop, { once: true });
    });
  }

  /**
   * Ends a stream whose client stopped reading, with a last `slow_consumer` event; if even that
   * cannot reach the client within the drain timeout, the connection is closed. Either way what
   * this stream holds for it stays bounded.
   */
  dropSlowConsumer(): void {
    const lastId = this.lastId ?? '';
    this.send({
      type: 'slow_consumer',
      data: {
        last_event_id: lastId,
        resume:
          'Reconnect to GET /api/chat/session/{session_id}/events with the id of the last event you received as Last-Event-ID.',
      },
    });
    this.end();
    // The connection goes too: a client this far behind starts over on a new one.
    const socket = this.ctx.res.socket;
    if (!socket) return;
    this.ctx.res.once('finish', () => socket.destroySoon());
    setTimeout(() => socket.destroy(), this.options.drainTimeoutMs).unref();
  }

  /** A comment line keeps proxies from closing an idle stream (skipped while the client is behind). */
  ping(): void {
    if (!this.closed && !this.stream.writableNeedDrain) this.stream.write(': ping\n\n');
  }

  end(): void {
    this.endedHere = true;
    if (!this.stream.writableEnded) this.stream.end();
    this.stopped.abort();
  }
}
