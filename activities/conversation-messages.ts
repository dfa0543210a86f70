import { ApplicationFailure } from '@temporalio/common';
import type { ChatMessage } from '../src/contract/chat-message';
import { MESSAGES_MISSING_FAILURE_TYPE, type MessageRef, type TurnRange } from '../src/contract/conversation';
import type { ChatHistoryStore } from '../src/store/chat-history-store';
import type { ConversationStore } from '../src/store/conversation-store';

/** Where activities load messages referenced by the workflow: Redis first, then the archive. */
export interface ConversationSources {
  conversation: ConversationStore;
  history: ChatHistoryStore;
}

function missing(what: string): ApplicationFailure {
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
  if (lost.length > 0) throw missing(`turns ${lost.join(', ')}`);
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
  if (lost.length > 0) throw missing(`messages ${lost.join(', ')}`);
  return refs.map((r) => ('stored' in r ? (byKey.get(r.stored) as ChatMessage) : r));
}
