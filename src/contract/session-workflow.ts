import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ChatSessionInput, EndSessionRequest, SessionView } from './session';
import type { ApprovalAnswer, ApprovalDecision } from './tool-approval';
import type { UserMessage } from './turn';

/** Workflow type by name, so the API never loads workflow code. */
export const SESSION_WORKFLOW_TYPE = 'chatSessionWorkflow';

export const SESSION_WORKFLOW_PREFIX = 'chat-session-';

/** Workflow id is derived from the session id, so any API process can address a session. */
export function sessionWorkflowId(sessionId: string): string {
  return `${SESSION_WORKFLOW_PREFIX}${sessionId}`;
}

/** A user message; a repeated turn_id is ignored. */
export const userMessageSignal = defineSignal<[UserMessage]>('userMessage');
/** Ends the session: queued messages are not run (each gets a `cancelled` result), then the workflow completes. */
export const endSessionSignal = defineSignal<[EndSessionRequest?]>('endSession');
/**
 * Cancels the running turn; queued messages still run. With `turn_id`, only that turn: a cancel
 * for a turn that is not running (finished, or still queued behind another) is ignored.
 */
export interface CancelTurnRequest {
  turn_id?: string;
  reason?: string;
}
export const cancelTurnSignal = defineSignal<[CancelTurnRequest]>('cancelTurn');
/**
 * Decides a tool call waiting for approval. Its validator refuses an unknown call_id
 * (APPROVAL_NOT_FOUND) and one already decided, expired or cancelled (APPROVAL_ALREADY_DECIDED).
 */
export const decideToolCallUpdate = defineUpdate<ApprovalAnswer, [ApprovalDecision]>('decideToolCall');
export const stateQuery = defineQuery<SessionView>('state');

/** The session workflow's signature, so the API can start it by name with typed arguments. */
export type ChatSessionWorkflow = (input: ChatSessionInput) => Promise<SessionView>;
