import type { ChatMessage } from './chat-message';
import type { UserMessage } from './turn';

/**
 * History by reference: each message body is stored once, by whoever first has it, in the session's
 * conversation store (Redis), under a key of its turn; the workflow passes these keys (and turn ids)
 * to activities instead of the bodies, so a message's bytes enter the workflow history once.
 */

/** A message of the running turn: the key its body is stored under, or the body (the workflow made it). */
export type MessageRef = { stored: string } | ChatMessage;

/** The API stores the user message under this key before it signals the turn. */
export function userMessageKey(turnId: string): string {
  return `${turnId}:u`;
}

/** `callModel` stores its complete answer (with or without tool calls) under this key. */
export function answerKey(turnId: string, step: number): string {
  return `${turnId}:a${step}`;
}

/** A tool activity stores its result message under this key. */
export function toolResultKey(turnId: string, callId: string): string {
  return `${turnId}:t${callId}`;
}

/**
 * An activity got a reference it could find neither in the conversation store nor in the archive
 * (e.g. Redis lost its data mid-turn): non-retryable, and the workflow then calls again with the
 * bodies inline (it still has them in memory).
 */
export const MESSAGES_MISSING_FAILURE_TYPE = 'ConversationMessagesMissing';

/** The user message as the conversation keeps it (the API stores exactly this). */
export function userChatMessage(message: Pick<UserMessage, 'turn_id' | 'text' | 'received_at'>): ChatMessage {
  return { role: 'user', content: message.text, turn_id: message.turn_id, created_at: message.received_at };
}

/**
 * Turns by their number in the session (1-based, the session's `turns` count when each was recorded),
 * both ends included; empty when `from > to`. A window of whole turns is such a range, so a reference
 * to it has the same size whatever the window holds.
 */
export interface TurnRange {
  from: number;
  to: number;
}

/**
 * The range of the last turns of a session that recorded `turns` turns, when `window` (whole turns,
 * oldest first) is made of them; undefined when a message has no turn id (then it goes inline).
 */
export function turnRangeOf(window: ChatMessage[], turns: number): TurnRange | undefined {
  let count = 0;
  let last: string | undefined;
  for (const m of window) {
    if (m.turn_id === undefined) return undefined;
    if (m.turn_id !== last) count += 1;
    last = m.turn_id;
  }
  return { from: turns - count + 1, to: turns };
}

/** What a summary covers (turns 1..through) and says; stored once, by `summarizeConversation`, under `through`. */
export interface ConversationSummary {
  through: number;
  text: string;
}

/**
 * With summaries, the window gets this share of the token budget and the summary the rest
 * (`history_token_budget / SUMMARY_BUDGET_SHARE` tokens), so the two together respect the budget.
 */
export const SUMMARY_BUDGET_SHARE = 4;

/** The system note that leads the context when the older part of the conversation was summarised. */
export function summaryNote(summary: ConversationSummary): ChatMessage {
  return {
    role: 'system',
    content: `Summary of the earlier conversation (turns 1-${summary.through}):\n${summary.text}`,
  };
}
