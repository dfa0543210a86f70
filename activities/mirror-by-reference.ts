import type { MirrorSessionInput } from '../src/contract/activity-io';
import type { ChatMessage } from '../src/contract/chat-message';
import { answerKey, toolResultKey, userMessageKey } from '../src/contract/conversation';
import type { SessionEvent } from '../src/contract/event-catalog';
import { visibleMessages } from '../src/contract/session-shapes';
import type { TurnResult } from '../src/contract/turn';
import { loadSummary, loadTurns, messagesMissing, type ConversationSources } from './conversation-messages';

/** The keys a turn's parts were stored under while it ran (user message, each step's answer, tool results). */
export function turnPartKeys(result: Pick<TurnResult, 'turn_id' | 'steps'>, messages: ChatMessage[]): string[] {
  const { turn_id: turnId } = result;
  return [
    userMessageKey(turnId),
    ...Array.from({ length: result.steps }, (_, i) => answerKey(turnId, i + 1)),
    ...messages.flatMap((m) => (m.role === 'tool' && m.tool_call_id ? [toolResultKey(turnId, m.tool_call_id)] : [])),
  ];
}

const TURN_ENDINGS = new Set<SessionEvent['type']>(['done', 'cancelled', 'error']);

/**
 * A mirror input by reference made whole: the snapshot's messages are its turns' messages (and its
 * summary the stored one), and the ending event of `response_of` that turn's archived result
 * (response, models tried, model calls included).
 */
export async function fillByReference(
  sources: ConversationSources,
  input: MirrorSessionInput,
): Promise<Pick<MirrorSessionInput, 'snapshot' | 'events'>> {
  const { by_reference: refs, snapshot, events } = input;
  if (!refs) return input;
  const messages = await loadTurns(sources, snapshot.session_id, refs.turns);
  const summary =
    refs.summary_through === undefined
      ? undefined
      : await loadSummary(sources, snapshot.session_id, refs.summary_through);
  // The turn's result as archived just before (archiveTurn runs first): the event is sent slim.
  const archived = refs.response_of ? await sources.history.turnResult(refs.response_of) : undefined;
  if (refs.response_of && !archived) throw messagesMissing(`the result of turn ${refs.response_of}`);
  return {
    snapshot: { ...snapshot, messages: visibleMessages(messages), ...(summary ? { summary } : {}) },
    events: events.map((event) =>
      refs.response_of &&
      TURN_ENDINGS.has(event.type) &&
      'response' in event.data &&
      event.data.turn_id === refs.response_of
        ? ({ ...event, data: { ...event.data, ...archived } } as SessionEvent)
        : event,
    ),
  };
}
