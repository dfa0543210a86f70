import type { ChatHistoryRow } from '../../store/chat-history-store';

/** One message of `GET /api/chat/history/{id}`. */
export interface HistoryMessage {
  role: 'user' | 'assistant';
  content: string;
  turn_id: string;
  created_at: string;
  tools_used?: string[];
  model_used?: string | null;
  status?: string;
}

/** A metadata field when it is a string, else the fallback. */
function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/** Each archived turn as its user message and its answer, in order. */
export function historyMessagesOf(rows: ChatHistoryRow[]): HistoryMessage[] {
  return rows.flatMap((row): HistoryMessage[] => [
    {
      role: 'user',
      content: row.user_message,
      turn_id: row.turn_id,
      created_at: stringOr(row.extra_metadata.received_at, row.created_at),
    },
    {
      role: 'assistant',
      content: row.assistant_message ?? '',
      turn_id: row.turn_id,
      created_at: row.created_at,
      tools_used: row.tools_used,
      model_used: row.model_used,
      status: stringOr(row.extra_metadata.status, 'completed'),
    },
  ]);
}
