/**
 * Text for the Temporal Web UI: the session's title and its "current details" pane, so an
 * operator can tell sessions apart and see the last exchange without opening the history.
 */
import type { ChatMessage } from '../src/contract/chat-message';
import type { SessionState } from '../src/contract/session';
import type { PendingApproval } from '../src/contract/tool-approval';

import { shorten } from '../src/contract/session-shapes';

const EXCERPT_CHARS = 300;

function lastOf(messages: ChatMessage[], role: 'user' | 'assistant'): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role === role && !m.tool_calls?.length && m.content) return m.content;
  }
  return undefined;
}

/** Markdown for `setCurrentDetails`: status, totals, tool calls waiting for approval, and the last exchange. */
export function sessionDetails(state: SessionState, awaiting: PendingApproval[] = []): string {
  const lines = [
    `**${state.title ?? 'New chat session'}**`,
    '',
    `Status: ${state.status} · Turns: ${state.turns} · Tokens: ${state.tokens_used} · Cost: $${state.cost.toFixed(6)} · Owner: ${state.owner}`,
    `Last activity: ${state.last_activity_at}`,
  ];
  if (awaiting.length > 0) {
    const calls = awaiting.map((p) => `${p.tool} ${shorten(p.arguments, 80)} (call ${p.call_id})`).join('; ');
    lines.push('', `**Waiting for approval of** ${calls} · expires ${awaiting[0].expires_at}`);
  }
  const user = lastOf(state.messages, 'user');
  const assistant = lastOf(state.messages, 'assistant');
  if (user) lines.push('', `**User:** ${shorten(user, EXCERPT_CHARS)}`);
  if (assistant) lines.push('', `**Assistant:** ${shorten(assistant, EXCERPT_CHARS)}`);
  if (state.summary)
    lines.push('', `**Summary of turns 1-${state.summary.through}:** ${shorten(state.summary.text, EXCERPT_CHARS)}`);
  return lines.join('\n');
}
