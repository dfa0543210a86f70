import { ActivityFailure, ApplicationFailure, patched } from '@temporalio/workflow';
import { MESSAGES_MISSING_FAILURE_TYPE } from '../src/contract/conversation';
import type { SessionSettings } from '../src/contract/session';

/**
 * Marks histories whose activities get messages by reference (turn ids, stored keys) instead of
 * their bodies: callModel, mirrorSession and the `done` event; the archive gets the turn's
 * messages inline (a local activity's input is not recorded).
 */
export const HISTORY_REF_PATCH = 'history-by-reference';

/**
 * Whether the session's activities get the history by reference. The setting is read before the
 * patch, so a session with it off (HISTORY_BY_REFERENCE=false) records no marker.
 */
export function historyByReference(settings: SessionSettings): boolean {
  return settings.history_by_reference !== false && patched(HISTORY_REF_PATCH);
}

/** The activity could not find a referenced message anywhere (contract/conversation.ts). */
export function isMessagesMissing(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure && cause.type === MESSAGES_MISSING_FAILURE_TYPE;
}

/**
 * Runs the by-reference call; when a referenced message was lost (Redis emptied and not archived
 * yet), the same call again with the bodies inline: the workflow still has them in memory.
 */
export async function withInlineFallback<T>(byReference: () => Promise<T>, inline: () => Promise<T>): Promise<T> {
  try {
    return await byReference();
  } catch (err) {
    if (!isMessagesMissing(err)) throw err;
    return inline();
  }
}
