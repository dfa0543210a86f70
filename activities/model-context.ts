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
  const [lead, ...rest] = input.messages;
  const messages = byReference
    ? [
        ...(lead ? [lead] : []),
        ...(input.summary_through !== undefined
          ? [summaryNote(await loadSummary(sources, input.session_id, input.summary_through))]
          : []),
        ...rest,
        ...(input.history_turns ? await loadTurns(sources, input.session_id, input.history_turns) : []),
        ...(await resolveRefs(sources, input.session_id, input.turn_messages ?? [])),
      ]
    : input.messages;
  return messages.map(({ created_at: _c, turn_id: _t, ...m }) => m);
}
