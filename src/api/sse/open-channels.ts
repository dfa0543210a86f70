import type { SseChannel } from './sse-channel';

/** Open SSE channels of this API process, so shutdown can end each with a final event. */
export class OpenChannels {
  private readonly channels = new Set<SseChannel>();

  track(channel: SseChannel): () => void {
    this.channels.add(channel);
    return () => this.channels.delete(channel);
  }

  get size(): number {
    return this.channels.size;
  }

  closeAll(reason: string): void {
    for (const channel of this.channels) {
      channel.send({ event: 'server_shutdown', data: { reason, resume: 'Reconnect to GET /api/chat/session/{session_id}/events with Last-Event-ID.' } });
      channel.end();
    }
    this.channels.clear();
  }
}
