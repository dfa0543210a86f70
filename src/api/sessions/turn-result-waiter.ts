import type { TurnEndingEvent } from '../../contract/event-catalog';
import type { TurnResult } from '../../contract/turn';
import { ServerShuttingDownError, TurnFailedError, TurnTimeoutError } from '../../errors';
import { turnResultOf } from './turn-result-of';
import type { TurnTicket } from './turn-ticket';

/** Where a turn's last event comes from: the session's event stream (streaming/turn-waiter); throws TurnTimeoutError after `timeoutMs`. */
export interface TurnEndings {
  wait(
    sessionId: string,
    turnId: string,
    afterId: string,
    timeoutMs: number,
    signal?: AbortSignal,
    acceptedAtMs?: number,
  ): Promise<TurnEndingEvent>;
}

/** Where a finished turn is kept for good: the archive (a retry with an Idempotency-Key reads its answer there). */
export interface ArchivedTurns {
  turnResult(turnId: string): Promise<TurnResult | undefined>;
}

/** The ending event the session published for an archived result. */
function endingOf(result: TurnResult): TurnEndingEvent {
  if (result.status === 'completed') return { type: 'done', data: result };
  if (result.status === 'cancelled') return { type: 'cancelled', data: result };
  return { type: 'error', data: result };
}

/** The synchronous answer to a message: waits for its turn to end and returns the result, or its API error. */
export class TurnResultWaiter {
  /** Aborted when the API shuts down: waiting requests answer 503 at once (their turns go on). */
  private readonly shutdown = new AbortController();

  constructor(
    private readonly endings: TurnEndings,
    private readonly timeoutMs: number,
    private readonly archive?: ArchivedTurns,
  ) {}

  /** Ends every wait with ServerShuttingDownError; called first when the API stops. */
  beginShutdown(): void {
    this.shutdown.abort();
  }

  /** `signal` ends the wait early (the client left); the turn itself goes on. */
  async wait(ticket: TurnTicket, signal?: AbortSignal): Promise<TurnResult> {
    const stop = signal ? AbortSignal.any([signal, this.shutdown.signal]) : this.shutdown.signal;
    let ending: TurnEndingEvent;
    try {
      // A retried request's turn may be over (its events trimmed or lost with Redis): the archive answers.
      const archived = ticket.idempotent ? await this.archive?.turnResult(ticket.turn_id) : undefined;
      ending = archived
        ? endingOf(archived)
        : await this.endings.wait(
            ticket.session_id,
            ticket.turn_id,
            ticket.after_id,
            this.timeoutMs,
            stop,
            Date.parse(ticket.received_at),
          );
    } catch (err) {
      if (err instanceof TurnTimeoutError && this.shutdown.signal.aborted)
        throw new ServerShuttingDownError(ticket.session_id, ticket.turn_id);
      throw err;
    }
    const result = turnResultOf(ticket.session_id, ending);
    if (result.status === 'failed') {
      throw new TurnFailedError(result.response, {
        session_id: ticket.session_id,
        turn_id: result.turn_id,
        error: result.error,
      });
    }
    return result;
  }
}
