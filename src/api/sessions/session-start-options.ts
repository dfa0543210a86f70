import type { WorkflowStartOptions } from '@temporalio/client';
import { ChatLastActivity, ChatOwner, ChatSessionStatus, ChatTurns } from '../../contract/search-attributes';
import type { SessionSettings } from '../../contract/session';
import { sessionWorkflowId, type ChatSessionWorkflow } from '../../contract/session-workflow';
import { titleOf } from '../../contract/session-shapes';

export interface SessionStart {
  sessionId: string;
  createdAt: string;
  owner: string;
  /** The message that starts the session, if any: it becomes the Web UI summary. */
  firstMessage?: string;
}

/**
 * Start options every session workflow gets. The owner goes into the memo so access control
 * still finds it once the row and the snapshot are gone; the search attributes and summary make
 * the session findable and readable in the Temporal Web UI.
 */
export function sessionStartOptions(
  taskQueue: string,
  settings: SessionSettings,
  start: SessionStart,
): WorkflowStartOptions<ChatSessionWorkflow> {
  const { sessionId, createdAt, owner, firstMessage } = start;
  return {
    taskQueue,
    workflowId: sessionWorkflowId(sessionId),
    // A session id names one session for good: an ended session is never started again (ids derived from an Idempotency-Key repeat).
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    args: [{ session_id: sessionId, created_at: createdAt, owner, settings }],
    memo: { owner },
    ...(settings.search_attributes
      ? {
          typedSearchAttributes: [
            { key: ChatSessionStatus, value: 'active' },
            { key: ChatOwner, value: owner },
            { key: ChatTurns, value: 0 },
            { key: ChatLastActivity, value: new Date(createdAt) },
          ],
        }
      : {}),
    staticSummary: firstMessage ? titleOf(firstMessage) : `New chat session ${sessionId.slice(0, 8)}`,
    staticDetails: `Chat session \`${sessionId}\` of **${owner}**, started ${createdAt}.`,
  };
}
