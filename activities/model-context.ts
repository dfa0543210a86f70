import type { CallModelInput } from '../src/contract/activity-io';
import type { ChatMessage } from '../src/contract/chat-message';
import { summaryNote } from '../src/contract/conversation';
import { loadSummary, loadTurns, resolveRefs, type ConversationSources } from './conversation-messages';

/**
 * The one place the message list a model call sends is assembled: the input's leading messages
 * (the system prompt), then — history by reference — the summary of older turns as a system note, the window's turns and the running turn's
 * messages, loaded from the conversation store or the archive. Identical to what the workflow would
 * have sent inline. Only role, content, tool calls and tool_call_id reach the model.
 */
export async function buildModelContext(sources: ConversationSources, input: CallModelInput): Promise<ChatMessage[]> {
  const byReference = input.history_turns !== undefined || input.turn_messages !== undefined;
  if (!byReference) return input.messages.map(({ created_at: _c, turn_id: _t, ...m }) => m);
  const [lead, ...rest] = input.messages;
  // The three loads are independent: issued together, they cost one store round trip's wait, not three.
  const [summary, turns, running] = await Promise.all([
    input.summary_through !== undefined ? loadSummary(sources, input.session_id, input.summary_through) : undefined,
    input.history_turns ? loadTurns(sources, input.session_id, input.history_turns) : [],
    resolveRefs(sources, input.session_id, input.turn_messages ?? []),
  ]);
  const messages = [...(lead ? [lead] : []), ...(summary ? [summaryNote(summary)] : []), ...rest, ...turns, ...running];
  return messages.map(({ created_at: _c, turn_id: _t, ...m }) => m);
}
