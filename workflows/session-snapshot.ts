import type { SessionSnapshot } from '../activities/types';
import type { SessionView } from './messages';

/**
 * What clients see of a session: the workflow's view without the queue, and only user messages
 * and final answers (tool exchanges stay inside the workflow). Used by the workflow when it
 * mirrors to Redis and by the API when it rebuilds a lost snapshot from the `state` query.
 */
export function snapshotOf(view: SessionView): SessionSnapshot {
  const { pending: _pending, ...rest } = view;
  return { ...rest, messages: view.messages.filter((m) => m.role === 'user' || (m.role === 'assistant' && !m.tool_calls?.length)) };
}
