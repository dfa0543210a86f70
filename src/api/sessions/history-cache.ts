/** One session's history as the archive answered it: how many turns it held and the response body. */
export interface CachedHistory {
  turns: number;
  body: string;
}

/**
 * The archive's history answers of recently read sessions, least recently read evicted first,
 * bounded by the bodies' UTF-8 size (0 keeps nothing). Archived turns never change, so an entry
 * stays the archive's answer for as long as the archive holds the same number of turns.
 */
export class HistoryCache {
  private readonly entries = new Map<string, CachedHistory & { bytes: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(sessionId: string): CachedHistory | undefined {
    const entry = this.entries.get(sessionId);
    if (entry) {
      // Map order is insertion order: re-inserting marks it most recently read.
      this.entries.delete(sessionId);
      this.entries.set(sessionId, entry);
    }
    return entry;
  }

  set(sessionId: string, history: CachedHistory): void {
    this.drop(sessionId);
    const bytes = Buffer.byteLength(history.body);
    if (this.maxBytes === 0 || bytes > this.maxBytes) return;
    this.entries.set(sessionId, { ...history, bytes });
    this.bytes += bytes;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(oldest);
    }
  }

  /** Entries and their bytes (for tests and metrics). */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private drop(sessionId: string): void {
    const entry = this.entries.get(sessionId);
    if (!entry) return;
    this.entries.delete(sessionId);
    this.bytes -= entry.bytes;
  }
}
