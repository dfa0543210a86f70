import { ApplicationFailure } from '@temporalio/common';
import type { ChatMessage } from '../src/contract/chat-message';
import {
  MESSAGES_MISSING_FAILURE_TYPE,
  type ConversationSummary,
  type MessageRef,
  type TurnRange,
} from '../src/contract/conversation';
import type { ChatHistoryStore } from '../src/store/chat-history-store';
import type { ConversationStore } from '../src/store/conversation-store';

/** Where activities load messages referenced by the workflow: Redis first, then the archive. */
export interface ConversationSources {
  conversation: ConversationStore;
  history: ChatHistoryStore;
}

/** The declared failure of a reference found nowhere (non-retryable; the workflow resends inline). */
export function messagesMissing(what: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: MESSAGES_MISSING_FAILURE_TYPE,
    message: `Conversation messages not found: ${what}`,
    nonRetryable: true,
  });
}

/** The messages of a range of turns, in order: from Redis, else from the archive; a turn in neither fails the activity. */
export async function loadTurns(
  sources: ConversationSources,
  sessionId: string,
  range: TurnRange,
): Promise<ChatMessage[]> {
  const seqs = Array.from({ length: Math.max(0, range.to - range.from + 1) }, (_, i) => range.from + i);
  const cached = await sources.conversation.turns(sessionId, seqs);
  const absent = seqs.filter((_, i) => cached[i] === null);
  const archived = await sources.history.turnMessages(sessionId, absent);
  const fromArchive = new Map(absent.map((n, i) => [n, archived[i]]));
  const lost = absent.filter((n) => fromArchive.get(n) === null);
  if (lost.length > 0) throw messagesMissing(`turns ${lost.join(', ')}`);
  return seqs.flatMap((n, i) => cached[i] ?? fromArchive.get(n) ?? []);
}

/** The running turn's messages: stored ones from Redis (they are not archived yet), the others as given. */
export async function resolveRefs(
  sources: ConversationSources,
  sessionId: string,
  refs: MessageRef[],
): Promise<ChatMessage[]> {
  const keys = refs.flatMap((r) => ('stored' in r ? [r.stored] : []));
  const found = await sources.conversation.messages(sessionId, keys);
  const byKey = new Map(keys.map((k, i) => [k, found[i]]));
  const lost = keys.filter((k) => byKey.get(k) === null);
  if (lost.length > 0) throw messagesMissing(`messages ${lost.join(', ')}`);
  return refs.map((r) => ('stored' in r ? (byKey.get(r.stored) as ChatMessage) : r));
}

/** A stored summary: Redis first, then the archive. */
export async function findSummary(
  sources: ConversationSources,
  sessionId: string,
  through: number,
): Promise<ConversationSummary | undefined> {
  return (
    (await sources.conversation.summary(sessionId, through)) ?? (await sources.history.summary(sessionId, through))
  );
}

/** The stored summary through this turn; one found nowhere fails the activity. */
export async function loadSummary(
  sources: ConversationSources,
  sessionId: string,
  through: number,
): Promise<ConversationSummary> {
  const summary = await findSummary(sources, sessionId, through);
  if (!summary) throw messagesMissing(`summary through turn ${through}`);
  return summary;
}
