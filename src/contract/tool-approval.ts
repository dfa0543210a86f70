import { z } from 'zod';

const isoTime = z.iso.datetime({ offset: true }).describe('ISO 8601 time');

/**
 * Per request: `auto` follows each tool's approval policy; `always` makes every tool call of the
 * turn wait for a decision.
 */
export const approvalModeSchema = z.enum(['auto', 'always']);
export type ApprovalMode = z.infer<typeof approvalModeSchema>;

/** How a waiting call was resolved: by a person (approved/denied), by its expiry, or by a cancel. */
export const approvalOutcomeSchema = z.enum(['approved', 'denied', 'timeout', 'cancelled']);
export type ApprovalOutcome = z.infer<typeof approvalOutcomeSchema>;

/** A tool call waiting for a person's decision (state, snapshot, `state` query, GET session). */
export const pendingApprovalSchema = z.object({
  call_id: z.string(),
  turn_id: z.uuid(),
  tool: z.string(),
  arguments: z.string().describe('Raw JSON text from the model.'),
  step: z.number().int().min(1).describe('Model-call step of the turn that asked for the call.'),
  requested_at: isoTime,
  expires_at: isoTime.describe('Past this the call is denied with reason `timeout`.'),
  parameters: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("The tool's JSON Schema for its arguments (edited arguments must match it)."),
});
export type PendingApproval = z.infer<typeof pendingApprovalSchema>;

/**
 * The `decideToolCall` update's argument. `arguments` is JSON text the API already validated
 * against the tool's schema.
 */
export interface ApprovalDecision {
  call_id: string;
  approve: boolean;
  reason?: string;
  arguments?: string;
}

/** The `decideToolCall` update's answer: what happens next. */
export const approvalAnswerSchema = z.object({
  call_id: z.string(),
  turn_id: z.uuid(),
  tool: z.string(),
  outcome: z.enum(['approved', 'denied']),
  arguments_edited: z.boolean(),
  next: z.string().describe('What the session does now, in a sentence.'),
});
export type ApprovalAnswer = z.infer<typeof approvalAnswerSchema>;

/** Failure types of the update's validator (defined zod-free for the workflow bundle; the default wait is there too). */
export { APPROVAL_ALREADY_DECIDED, APPROVAL_NOT_FOUND } from './approval-wait';
