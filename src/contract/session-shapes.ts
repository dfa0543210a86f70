import type { ChatMessage } from './chat-message';
import type { SessionSnapshot, SessionView } from './session';

const TITLE_CHARS = 80;

/** Text on one line, shortened to `max` characters with an ellipsis. */
export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The first user message, on one line, shortened: a session's title. */
export function titleOf(firstMessage: string): string {
  return shorten(firstMessage, TITLE_CHARS);
}

/**
 * What clients see of a session: the workflow's view without the queue, and only user messages
 * and final answers (tool exchanges stay inside the workflow).
 */
export function snapshotOf(view: SessionView): SessionSnapshot {
  const { pending: _pending, ...rest } = view;
  return { ...rest, messages: visibleMessages(view.messages) };
}

/** The messages clients see: user messages and final answers. */
export function visibleMessages(messages: ChatMessage[]): ChatMessage[] {
  return messages.filter((m) => m.role === 'user' || (m.role === 'assistant' && !m.tool_calls?.length));
}
