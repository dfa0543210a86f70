import { isTurnEnding, turnIdOf, type SessionEvent } from '../contract/event-catalog';
import { modelLabel, timeToFirstTokenSeconds, turnDurationSeconds } from './metrics';

/**
 * Watches one turn's events as the API relays or awaits them, and records what the user
 * experienced: time to the first token and time to the final event, both from the moment the
 * API accepted the message. Each turn has one observer (the request that started it), so
 * nothing is counted twice.
 */
export class TurnObserver {
  private sawToken = false;
  private finished = false;

  constructor(
    private readonly turnId: string,
    /** When the API accepted the message (ms since epoch). */
    private readonly acceptedAtMs: number,
  ) {}

  /** Feed every event of the session's stream; events of other turns are ignored. */
  see(event: SessionEvent): void {
    if (this.finished || turnIdOf(event) !== this.turnId) return;
    const elapsed = Math.max(0, Date.now() - this.acceptedAtMs) / 1000;
    if (event.type === 'message' && !this.sawToken) {
      this.sawToken = true;
      timeToFirstTokenSeconds.observe({ model: modelLabel(event.data.model) }, elapsed);
    } else if (isTurnEnding(event)) {
      this.finished = true;
      const status = 'status' in event.data ? event.data.status : 'other';
      turnDurationSeconds.observe({ outcome: status }, elapsed);
    }
  }
}
