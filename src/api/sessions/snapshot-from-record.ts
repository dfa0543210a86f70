import type { ChatMessage } from '../../contract/chat-message';
import type { SessionRecord, SessionSnapshot } from '../../contract/session';
import type { ChatHistoryRow } from '../../store/chat-history-store';

/**
 * A snapshot rebuilt from the archive, for a session whose workflow is gone: its row, and the
 * last turns that fit the session's message window. No turn can be running.
 */
export function snapshotFromRecord(
  record: SessionRecord,
  rows: ChatHistoryRow[],
  windowMessages: number,
): SessionSnapshot {
  const messages = rows.slice(-Math.ceil(windowMessages / 2)).flatMap((row): ChatMessage[] => [
    { role: 'user', content: row.user_message, turn_id: row.turn_id },
    { role: 'assistant', content: row.assistant_message, turn_id: row.turn_id, created_at: row.created_at },
  ]);
  return {
    session_id: record.session_id,
    owner: record.owner,
    title: record.title,
    status: record.status,
    created_at: record.created_at,
    last_activity_at: record.last_activity_at,
    turns: record.turns,
    tokens_used: record.tokens_used,
    cost: record.cost,
    messages,
    current_turn: null,
  };
}
