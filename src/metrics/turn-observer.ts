import { modelLabel, timeToFirstTokenSeconds, turnDurationSeconds } from './metrics';

/** Events that end a turn (mirrors TERMINAL_EVENTS in src/api/turn-waiter.ts). */
const TERMINAL = new Set(['done', 'error', 'cancelled']);

/**
 * Watches one turn's events as the API relays or awaits them, and records what the user
 * experienced: time to the first token and time to the final event, both from the moment the
 * API accepted the message. Measured in the API rather than the worker because that is where
 * the latency Temporal, Redis and the model add up is visible; each turn has one observer (the
 * request that started it), so nothing is counted twice.
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
  see(type: string, data: Record<string, unknown>): void {
    if (this.finished || data.turn_id !== this.turnId) return;
    const elapsed = Math.max(0, Date.now() - this.acceptedAtMs) / 1000;
    if (type === 'message' && !this.sawToken) {
      this.sawToken = true;
      timeToFirstTokenSeconds.observe({ model: modelLabel(typeof data.model === 'string' ? data.model : 'unknown') }, elapsed);
    } else if (TERMINAL.has(type)) {
      this.finished = true;
      const status = typeof data.status === 'string' ? data.status : type;
      turnDurationSeconds.observe({ outcome: ['completed', 'failed', 'cancelled', 'rejected'].includes(status) ? status : 'other' }, elapsed);
    }
  }
}
