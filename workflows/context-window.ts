import type { ChatMessage } from './messages';

/**
 * Keeps at most `max` recent messages, cutting only at a user message: an assistant
 * message with tool calls and its tool results stay together, since providers reject orphans.
 */
export function trimConversation(messages: ChatMessage[], max: number): ChatMessage[] {
  if (messages.length <= max) return messages;
  let start = messages.length - max;
  while (start < messages.length && messages[start].role !== 'user') start++;
  if (start >= messages.length) {
    // One exchange longer than the window: keep it whole from its user message.
    start = messages.length - max;
    while (start > 0 && messages[start].role !== 'user') start--;
  }
  return messages.slice(start);
}
