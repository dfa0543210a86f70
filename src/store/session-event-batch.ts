import type { SessionEvent } from '../contract/event-catalog';
import type { SessionEventStream } from './session-event-stream';

/**
 * Coalesces a session's events emitted within one macrotask into one pipelined append: a model
 * delivering many chunks at once costs one Redis round trip instead of one per chunk. Batches
 * go out in order on one connection, so stream order is the order of `push`.
 */
export class SessionEventBatch {
  private pending: SessionEvent[] = [];
  private readonly sent: Array<Promise<unknown>> = [];

  constructor(
    private readonly events: SessionEventStream,
    private readonly sessionId: string,
  ) {}

  push(event: SessionEvent): void {
    if (this.pending.length === 0) setImmediate(() => this.flush());
    this.pending.push(event);
  }

  /** Sends what is pending and waits for every batch (rejects if one failed). */
  drain(): Promise<unknown[]> {
    this.flush();
    return Promise.all(this.sent);
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const write = this.events.append(this.sessionId, batch);
    write.catch(() => undefined); // observed by drain(); never an unhandled rejection meanwhile
    this.sent.push(write);
  }
}
