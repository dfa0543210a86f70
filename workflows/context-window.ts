import type { ChatMessage } from '../src/contract/chat-message';

/** Rough token estimate (≈4 characters a token), deterministic so replays agree. */
export function estimateMessageTokens(message: ChatMessage): number {
  const calls = message.tool_calls?.reduce((n, c) => n + c.name.length + c.arguments.length, 0) ?? 0;
  return Math.ceil(((message.content?.length ?? 0) + calls) / 4) + 4;
}

/**
 * Keeps the most recent messages within `maxMessages` and `maxTokens`, cutting only at a user
 * message: an assistant message with tool calls and its tool results stay together, since
 * providers reject orphans. The newest exchange is always kept whole, even over budget.
 */
export function trimConversation(
  messages: ChatMessage[],
  maxMessages: number,
  maxTokens = Number.POSITIVE_INFINITY,
): ChatMessage[] {
  let tokens = 0;
  let kept = messages.length;
  for (let i = messages.length - 1; i >= 0; i--) {
    tokens += estimateMessageTokens(messages[i]);
    const count = messages.length - i;
    if (count > maxMessages || tokens > maxTokens) break;
    if (messages[i].role === 'user') kept = i;
  }
  if (kept === messages.length) {
    // Not even one whole exchange fits: keep the newest one from its user message.
    kept = messages.length - 1;
    while (kept > 0 && messages[kept].role !== 'user') kept--;
    if (messages.length === 0) return messages;
  }
  return kept === 0 ? messages : messages.slice(kept);
}

/** The messages of the turns after turn `through`, in a window whose last turn is the session's turn `turns`. */
export function turnsAfter(messages: ChatMessage[], turns: number, through: number): ChatMessage[] {
  let seq = turns;
  let start = messages.length;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (i < messages.length - 1 && messages[i].turn_id !== messages[i + 1].turn_id) seq--;
    if (seq <= through) break;
    start = i;
  }
  return messages.slice(start);
}
