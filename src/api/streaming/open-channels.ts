import { TooManyStreamsError } from '../../errors';
import { activeStreams } from '../../metrics/metrics';
import type { SseChannel } from './sse-channel';

/**
 * Open SSE channels of this API process, so shutdown can end each with a final event; their count
 * is the chat_active_streams gauge. Each caller may hold at most `maxPerCaller` (0 = no cap).
 */
export class OpenChannels {
  private readonly channels = new Set<SseChannel>();
  private readonly perCaller = new Map<string, number>();

  constructor(private readonly maxPerCaller = 0) {}

  /**
   * Claims one of `caller`'s stream slots before its stream starts (429 beyond the cap); the
   * returned function gives it back (once) when the stream is over.
   */
  claim(caller: string): () => void {
    const open = this.perCaller.get(caller) ?? 0;
    if (this.maxPerCaller > 0 && open >= this.maxPerCaller) throw new TooManyStreamsError(this.maxPerCaller);
    this.perCaller.set(caller, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.perCaller.get(caller) ?? 1) - 1;
      if (left > 0) this.perCaller.set(caller, left);
      else this.perCaller.delete(caller);
    };
  }

  track(channel: SseChannel): () => void {
    if (!this.channels.has(channel)) activeStreams.inc();
    this.channels.add(channel);
    return () => {
      if (this.channels.delete(channel)) activeStreams.dec();
    };
  }

  closeAll(reason: string): void {
    for (const channel of this.channels) {
      channel.send({
        type: 'server_shutdown',
        data: { reason, resume: 'Reconnect to GET /api/chat/session/{session_id}/events with Last-Event-ID.' },
      });
      channel.end();
    }
    activeStreams.dec(this.channels.size);
    this.channels.clear();
  }
}
