import type Redis from 'ioredis';
import type { SessionEvent, StoredSessionEvent } from '../contract/event-catalog';
import type { RedisKeys } from './redis';
import { compareStreamIds } from '../contract/stream-id';
import { parseEntry } from './session-event-stream';

export interface SharedStreamReaderOptions {
  /** Opens one reader connection; give it a connection name so CLIENT LIST can count them. */
  openConnection: () => Redis;
  /** For non-blocking commands only (catch-up XRANGE, CLIENT UNBLOCK). */
  commands: Redis;
  keys: RedisKeys;
  /** Reader connections (each one blocking XREAD) this process opens at most. */
  maxConnections?: number;
  /** Streams per reader connection before another one is opened (beyond `maxConnections` they share). */
  streamsPerConnection?: number;
  /** Upper bound of one XREAD BLOCK; a changed stream set re-arms sooner with CLIENT UNBLOCK. */
  blockMs?: number;
  /** Events a subscriber may hold unread before it is dropped as a slow consumer. */
  queueLimit?: number;
}

/** A subscriber fell `queueLimit` events behind: the shared reader never waits for one subscriber. */
export class SubscriberOverflowError extends Error {
  constructor(readonly lastId: string) {
    super(`Subscriber fell too far behind (last id delivered ${lastId}).`);
  }
}

/** One reader's view of a session stream: events after the id it subscribed with, each once, in order. */
export interface StreamSubscription {
  /** The next event; `idle` when none came within `idleMs`; `closed` once closed. Throws when the stream failed or it overflowed. */
  next(idleMs: number): Promise<StoredSessionEvent | 'idle' | 'closed'>;
  /** The id of the newest event handed out (or subscribed after). */
  readonly lastId: string;
  close(): void;
}

const READ_COUNT = 500;
/** CLIENT UNBLOCK found no blocked read yet (the XREAD is still on its way): retries this often, this many times. */
const UNBLOCK_RETRY_MS = 5;
const UNBLOCK_RETRIES = 20;

interface Stream {
  key: string;
  /** The newest id the shared read has seen: no subscriber that reads from the shared read is behind it. */
  cursor: string;
  subscribers: Set<Subscriber>;
  lane: Lane;
}

interface Lane {
  connection: Redis;
  streams: Map<string, Stream>;
  /** Bumped whenever `streams` changes; a read started at an older generation needs re-arming. */
  generation: number;
  readGeneration: number;
  reading: boolean;
  unblocking: boolean;
  clientId: string | undefined;
  wake: (() => void) | undefined;
}

type Waiter = (result: StoredSessionEvent | 'idle' | 'closed' | Error) => void;

class Subscriber implements StreamSubscription {
  private readonly queue: StoredSessionEvent[] = [];
  private failure: Error | undefined;
  private closed = false;
  private waiter: Waiter | undefined;
  /** Entries the shared read delivered while the catch-up read runs; replayed after it, past its last id. */
  private held: Array<[string, SessionEvent | undefined]> | undefined;

  /** The newest id offered (the filter against duplicates); `lastId` is the newest handed out. */
  seenId: string;
  lastId: string;

  constructor(
    afterId: string,
    private readonly limit: number,
    private readonly detach: (subscriber: Subscriber) => void,
  ) {
    this.seenId = afterId;
    this.lastId = afterId;
  }

  startCatchUp(): void {
    this.held = [];
  }

  finishCatchUp(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const [id, event] of held) this.offer(id, event);
  }

  /** Takes one stream entry (`event` undefined for entries outside the catalog); never blocks the caller. */
  offer(id: string, event: SessionEvent | undefined, fromCatchUp = false): void {
    if (this.closed) return;
    if (this.held && !fromCatchUp) {
      this.held.push([id, event]);
      if (this.held.length > this.limit) this.fail(new SubscriberOverflowError(this.lastId));
      return;
    }
    if (compareStreamIds(id, this.seenId) <= 0) return;
    this.seenId = id;
    if (!event) return;
    const stored: StoredSessionEvent = { ...event, id };
    if (this.waiter) {
      this.lastId = id;
      return this.settle(stored);
    }
    this.queue.push(stored);
    if (this.queue.length > this.limit) this.fail(new SubscriberOverflowError(this.lastId));
  }

  fail(error: Error): void {
    if (this.closed) return;
    this.failure = error;
    this.queue.length = 0;
    this.held = undefined;
    this.detach(this);
    this.settle(error);
  }

  next(idleMs: number): Promise<StoredSessionEvent | 'idle' | 'closed'> {
    const queued = this.queue.shift();
    if (queued) {
      this.lastId = queued.id;
      return Promise.resolve(queued);
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.resolve('closed');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.settle('idle'), idleMs);
      this.waiter = (result) => {
        clearTimeout(timer);
        this.waiter = undefined;
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.held = undefined;
    this.detach(this);
    this.settle('closed');
  }

  private settle(result: StoredSessionEvent | 'idle' | 'closed' | Error): void {
    this.waiter?.(result);
  }
}

/**
 * One blocking reader per API process for every session stream its clients follow: each reader
 * connection issues one `XREAD BLOCK … STREAMS k1..kN id1..idN` and fans the entries out in
 * process, so Redis connections stay at `maxConnections` however many clients wait. A subscriber
 * behind the shared cursor catches up with its own XRANGE first; ids are monotonic, so dropping
 * ids at or below a subscriber's last one makes the join gap- and duplicate-free.
 */
export class SharedStreamReader {
  private readonly streams = new Map<string, Stream>();
  private readonly lanes: Lane[] = [];
  private closed = false;
  private readonly maxConnections: number;
  private readonly streamsPerConnection: number;
  private readonly blockMs: number;
  private readonly queueLimit: number;

  constructor(private readonly options: SharedStreamReaderOptions) {
    this.maxConnections = options.maxConnections ?? 8;
    this.streamsPerConnection = options.streamsPerConnection ?? 128;
    this.blockMs = options.blockMs ?? 5000;
    this.queueLimit = options.queueLimit ?? 1000;
  }

  /** Events of `sessionId` after `afterId` (`0-0`: all the stream holds). */
  subscribe(sessionId: string, afterId: string, queueLimit = this.queueLimit): StreamSubscription {
    if (this.closed) throw new Error('The stream reader is closed.');
    const key = this.options.keys.events(sessionId);
    let stream = this.streams.get(key);
    const isNew = !stream;
    if (!stream) {
      const lane = this.pickLane();
      stream = { key, cursor: afterId, subscribers: new Set(), lane };
      this.streams.set(key, stream);
      lane.streams.set(key, stream);
    }
    const owner = stream;
    const subscriber = new Subscriber(afterId, queueLimit, (s) => this.unsubscribe(owner, s));
    stream.subscribers.add(subscriber);
    if (compareStreamIds(afterId, stream.cursor) < 0) {
      subscriber.startCatchUp();
      void this.catchUp(key, subscriber);
    }
    if (isNew) this.changed(stream.lane);
    return subscriber;
  }

  /** Reader connections open now (for tests and metrics). */
  get connectionCount(): number {
    return this.lanes.length;
  }

  close(): void {
    this.closed = true;
    for (const stream of [...this.streams.values()]) for (const s of [...stream.subscribers]) s.close();
    for (const lane of this.lanes.splice(0)) {
      lane.wake?.();
      lane.connection.disconnect();
    }
  }

  private async catchUp(key: string, subscriber: Subscriber): Promise<void> {
    try {
      let from = subscriber.seenId;
      for (;;) {
        const entries = (await this.options.commands.xrange(key, `(${from}`, '+', 'COUNT', READ_COUNT)) as Array<
          [string, string[]]
        >;
        for (const [id, fields] of entries) subscriber.offer(id, parseEntry(fields), true);
        if (entries.length < READ_COUNT) break;
        from = entries[entries.length - 1][0];
      }
      subscriber.finishCatchUp();
    } catch (err) {
      subscriber.fail(err as Error);
    }
  }

  private unsubscribe(stream: Stream, subscriber: Subscriber): void {
    stream.subscribers.delete(subscriber);
    if (stream.subscribers.size > 0) return;
    if (this.streams.get(stream.key) === stream) this.streams.delete(stream.key);
    if (stream.lane.streams.get(stream.key) === stream) {
      stream.lane.streams.delete(stream.key);
      this.changed(stream.lane);
    }
  }

  /** The least loaded lane; a new one while all are full and the cap allows. */
  private pickLane(): Lane {
    let best: Lane | undefined;
    for (const lane of this.lanes) if (!best || lane.streams.size < best.streams.size) best = lane;
    if ((!best || best.streams.size >= this.streamsPerConnection) && this.lanes.length < this.maxConnections) {
      best = this.openLane();
    }
    return best as Lane;
  }

  private openLane(): Lane {
    const connection = this.options.openConnection();
    connection.on('error', () => undefined); // reconnects on its own; the read in flight fails its subscribers
    const lane: Lane = {
      connection,
      streams: new Map(),
      generation: 0,
      readGeneration: 0,
      reading: false,
      unblocking: false,
      clientId: undefined,
      wake: undefined,
    };
    // A reconnected connection has a new client id.
    connection.on('close', () => (lane.clientId = undefined));
    this.lanes.push(lane);
    void this.run(lane);
    return lane;
  }

  private changed(lane: Lane): void {
    lane.generation++;
    if (lane.wake) {
      const wake = lane.wake;
      lane.wake = undefined;
      wake();
    } else this.rearm(lane, 0);
  }

  /**
   * Ends the lane's blocked XREAD so the next one reads the changed stream set. A change while an
   * unblock is in flight is picked up when it returns; an unblock that found no blocked read (the
   * read had not reached Redis yet) is retried a few times, and `blockMs` bounds the rest.
   */
  private rearm(lane: Lane, attempt: number): void {
    if (!lane.reading || lane.readGeneration === lane.generation || lane.unblocking || this.closed) return;
    if (lane.clientId === undefined) return;
    lane.unblocking = true;
    this.options.commands.client('UNBLOCK', lane.clientId).then(
      (unblocked) => {
        lane.unblocking = false;
        if (Number(unblocked) === 1) this.rearm(lane, 0);
        else if (attempt < UNBLOCK_RETRIES) setTimeout(() => this.rearm(lane, attempt + 1), UNBLOCK_RETRY_MS).unref();
      },
      () => (lane.unblocking = false),
    );
  }

  private async run(lane: Lane): Promise<void> {
    while (!this.closed) {
      if (lane.streams.size === 0) {
        await new Promise<void>((resolve) => (lane.wake = resolve));
        continue;
      }
      const streams = [...lane.streams.values()];
      let reply: Array<[string, Array<[string, string[]]>]> | null;
      try {
        lane.clientId ??= String(await lane.connection.client('ID'));
        lane.readGeneration = lane.generation;
        lane.reading = true;
        reply = (await lane.connection.call('XREAD', [
          'COUNT',
          READ_COUNT,
          'BLOCK',
          this.blockMs,
          'STREAMS',
          ...streams.map((s) => s.key),
          ...streams.map((s) => s.cursor),
        ])) as typeof reply;
      } catch (err) {
        if (this.closed) return;
        // The read failed for every stream it carried: their subscribers see the error (and resume).
        for (const stream of streams) for (const s of [...stream.subscribers]) s.fail(err as Error);
        continue;
      } finally {
        lane.reading = false;
      }
      for (const [key, entries] of reply ?? []) {
        const stream = lane.streams.get(key);
        if (!stream) continue;
        for (const [id, fields] of entries) {
          const event = parseEntry(fields);
          if (compareStreamIds(id, stream.cursor) > 0) stream.cursor = id;
          for (const subscriber of [...stream.subscribers]) subscriber.offer(id, event);
        }
      }
    }
  }
}
