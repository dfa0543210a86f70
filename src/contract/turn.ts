import { z } from 'zod';
import type { ApprovalMode } from './tool-approval';

const isoTime = z.iso.datetime({ offset: true }).describe('ISO 8601 time');

/** What to do with a message that arrives while a turn runs. */
export type DoubleTextingPolicy = 'enqueue' | 'reject' | 'interrupt';

export interface TurnOptions {
  use_tools: boolean;
  model?: string;
  temperature: number;
  max_tokens: number;
  /** Default `enqueue` (FIFO, each message its own turn). */
  double_texting?: DoubleTextingPolicy;
  /** Default `auto` (each tool's approval policy); `always`: every tool call waits for a decision. */
  approval?: ApprovalMode;
}

/** The payload of the `userMessage` signal: one user message, one turn. */
export interface UserMessage {
  /** Unique per turn: a repeated signal with a known turn_id is ignored. */
  turn_id: string;
  text: string;
  options: TurnOptions;
  /** ISO time the API accepted the message. */
  received_at: string;
  /** The API request that sent it, so workflow and activity logs can be joined to the API's. */
  request_id?: string;
  /**
   * The session stream's last id when the API accepted the message: a message sent after the
   * running turn's `done` was published (by its model call) is not refused as busy.
   */
  after_id?: string;
}

/** How one model in the chain fared for a turn (shown in results and the archive). */
export const modelAttemptSchema = z.object({
  model: z.string(),
  outcome: z.enum(['answered', 'skipped_no_tools', 'failed']),
  error_type: z
    .string()
    .optional()
    .describe('For failed: ModelRateLimitedError, ModelServerError, ModelAuthError, ...'),
  error: z.string().optional(),
  step: z.number().int().min(1).optional().describe('The model-call step of the turn this attempt belongs to.'),
});
export type ModelAttempt = z.infer<typeof modelAttemptSchema>;

/** Accounting for one model call: an answer, or the tokens failed or cancelled attempts consumed. */
export const modelCallUsageSchema = z.object({
  model: z.string(),
  step: z.number().int().min(1),
  outcome: z
    .enum(['failed', 'cancelled'])
    .optional()
    .describe('Absent: the call answered. failed/cancelled: tokens attempts consumed without an answer (billed too).'),
  prompt_tokens: z.number().int().min(0),
  completion_tokens: z.number().int().min(0),
  usage_estimated: z.boolean().describe('The provider sent no usage; tokens are estimated from text length.'),
  cost: z.number().min(0),
});
export type ModelCallUsage = z.infer<typeof modelCallUsageSchema>;

export const turnStatusSchema = z
  .enum(['completed', 'failed', 'cancelled', 'rejected'])
  .describe('cancelled keeps the partial answer; rejected: the session refused the message (busy, ended, queue full).');

export const turnResultSchema = z
  .object({
    session_id: z.uuid(),
    turn_id: z.uuid(),
    status: turnStatusSchema,
    code: z
      .string()
      .optional()
      .describe('Why a turn was not run or failed, in a word a client can branch on (e.g. budget_exceeded).'),
    response: z.string(),
    tools_used: z.array(z.string()),
    model_used: z.string(),
    tokens_used: z.number().int().min(0),
    prompt_tokens: z.number().int().min(0),
    completion_tokens: z.number().int().min(0),
    cost: z.number().min(0).describe('USD, from the configured prices.'),
    steps: z.number().int().min(0).describe('Model calls the turn took.'),
    error: z.string().optional().describe('Why the turn failed (status failed).'),
    models_tried: z
      .array(modelAttemptSchema)
      .describe('Every model the fallback chain tried, in order, and how each fared.'),
    model_calls: z
      .array(modelCallUsageSchema)
      .describe('Tokens and cost of each model call, failed and cancelled attempts included; the totals sum them.'),
    offline_fallback: z
      .boolean()
      .describe('The built-in offline model answered because every configured model failed.'),
    created_at: isoTime,
  })
  .describe(
    'A finished turn: the body of POST /api/chat/message and the data of the done, cancelled and (failed) error events.',
  );
export type TurnResult = z.infer<typeof turnResultSchema>;

/** The turn a session is running, as the workflow and the live Redis marker report it. */
export const currentTurnSchema = z.object({
  turn_id: z.string(),
  step: z.number().int(),
  phase: z.enum(['model', 'tools', 'archiving']),
  model: z.string().optional().describe('The model being called (live, while the turn runs).'),
  user_message: z.string().optional(),
});
export type CurrentTurn = z.infer<typeof currentTurnSchema>;

/** The live progress marker activities write mid-turn. */
export type LiveTurn = CurrentTurn & { updated_at: string };
