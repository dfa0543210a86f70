import type { HistoryMessage } from '../src/api/sessions/history-message';
import type { SessionSummary } from '../src/contract/session';
import type { TurnResult } from '../src/contract/turn';

// The bodies the bench reads from our API, typed from the shapes the server builds them from.
// Trusted, not validated: the bench only talks to the API of the stack it started itself.

/** `POST /api/chat/session` (201): the new session's id and start time. */
export type SessionCreated = Pick<SessionSummary, 'session_id' | 'created_at'>;

/** `POST /api/chat/message` (200): the finished turn. */
export type { TurnResult };

/** `GET /api/chat/history/{session_id}` (200): every archived message of the session, in order. */
export interface History {
  session_id: string;
  messages: HistoryMessage[];
}
