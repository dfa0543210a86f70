import { activeStreams } from '../../metrics/metrics';
import type { SseChannel } from './sse-channel';

/** Open SSE channels of this API process, so shutdown can end each with a final event; their count is the chat_active_streams gauge. */
export class OpenChannels {
  private readonly channels = new Set<SseChannel>();

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
