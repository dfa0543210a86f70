import type { TurnEndingEvent } from '../../contract/event-catalog';
import type { TurnResult } from '../../contract/turn';
import {
  BudgetExceededError,
  DependencyUnavailableError,
  SessionBusyError,
  SessionEndedError,
  SessionQueueFullError,
} from '../../errors';

/** The turn's result from its ending event; a refusal (busy, ended, queue full, over budget) becomes its API error. */
export function turnResultOf(sessionId: string, event: TurnEndingEvent): TurnResult {
  if (event.type !== 'error') return event.data;
  const data = event.data;
  if ('status' in data && data.status === 'rejected' && 'message' in data) {
    if (data.code === 'session_ended') throw new SessionEndedError(sessionId);
    if (data.code === 'session_queue_full') throw new SessionQueueFullError(sessionId, data.message);
    throw new SessionBusyError(sessionId);
  }
  if (!('session_id' in data)) throw new DependencyUnavailableError('redis', data.message);
  if (data.status === 'failed' && data.code === 'budget_exceeded') {
    throw new BudgetExceededError(data.response, { session_id: sessionId, turn_id: data.turn_id });
  }
  return data;
}
