import { patched } from '@temporalio/workflow';
import { SUMMARY_BUDGET_SHARE, turnRangeOf, type TurnRange } from '../src/contract/conversation';
import type { ChatMessage } from '../src/contract/chat-message';
import type { SessionSettings } from '../src/contract/session';
import { trimConversation, turnsAfter } from './context-window';

/** Marks histories that summarise the turns leaving the window (summarizeConversation) instead of forgetting them. */
export const SUMMARIES_PATCH = 'conversation-summaries';

/**
 * Whether a turn's session summarises the turns leaving the window. Summaries read those turns by
 * reference, so they need it; the setting is read before the patch, so a session with summaries off
 * (CONVERSATION_SUMMARIES_ENABLED=false) records no marker and simply drops old turns.
 */
export function summariesOn(settings: SessionSettings, byReference: boolean): boolean {
  return byReference && settings.conversation_summaries !== false && patched(SUMMARIES_PATCH);
}

/** Characters of the note's header ("Summary of the earlier conversation (turns 1-N):"), with room to spare. */
const NOTE_HEADER_CHARS = 60;

/** The window's share of the token budget when summaries are on; the summary's note gets the rest. */
export function windowTokenBudget(settings: SessionSettings): number {
  return settings.history_token_budget - Math.floor(settings.history_token_budget / SUMMARY_BUDGET_SHARE);
}

/** The longest summary text whose note stays within its share (≈4 characters a token, 4 tokens per message). */
export function summaryMaxChars(settings: SessionSettings): number {
  const tokens = Math.floor(settings.history_token_budget / SUMMARY_BUDGET_SHARE) - 4;
  return Math.max(0, tokens * 4 - NOTE_HEADER_CHARS);
}

/**
 * The turns to summarise after a turn, or undefined while the window still holds every turn after
 * the summary. When turns fell out (by message count or token budget), they are summarised together
 * with the older half of the window, so a summary is made every half window, not every turn.
 */
export function summaryDue(
  messages: ChatMessage[],
  turns: number,
  through: number,
  settings: SessionSettings,
): TurnRange | undefined {
  const recent = turnsAfter(messages, turns, through);
  const kept = trimConversation(recent, settings.history_window_messages, windowTokenBudget(settings));
  const range = turnRangeOf(kept, turns);
  if (!range || range.from <= through + 1) return undefined;
  const keptTurns = range.to - range.from + 1;
  return { from: through + 1, to: range.from - 1 + Math.floor(keptTurns / 2) };
}
