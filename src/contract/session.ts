import { z } from 'zod';
import { chatMessageSchema, type ChatMessage } from './chat-message';
import { pendingApprovalSchema } from './tool-approval';
import { currentTurnSchema, type UserMessage } from './turn';
import type { ConversationSummary } from './conversation';

const isoTime = z.iso.datetime({ offset: true }).describe('ISO 8601 time');

export const sessionStatusSchema = z.enum(['active', 'ended']);

/**
 * The one definition of a session. The workflow's state, the Redis snapshot, the `state` query
 * and the archive row are each this summary plus what that place alone keeps.
 */
export const sessionSummarySchema = z.object({
  session_id: z.uuid(),
  owner: z.string().describe('Principal that created the session: only it may read or write the session.'),
  title: z.string().nullable().describe('First user message, shortened.'),
  status: sessionStatusSchema,
  created_at: isoTime,
  last_activity_at: isoTime,
  turns: z.number().int().min(0),
  tokens_used: z.number().int().min(0),
  cost: z.number().min(0).describe('USD.'),
});
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

/** What an archive row is created from when the API's insert has not landed (or was lost). */
export type SessionRecordSeed = Pick<SessionSummary, 'owner' | 'created_at' | 'title'>;

/** What clients read live: the summary, the visible messages and the running turn. */
export const sessionSnapshotSchema = sessionSummarySchema.extend({
  messages: z.array(chatMessageSchema).describe('Recent messages (user and final assistant answers).'),
  current_turn: currentTurnSchema.nullable(),
  pending_approvals: z
    .array(pendingApprovalSchema)
    .optional()
    .describe('Tool calls of the running turn waiting for a decision (absent or empty: none).'),
  summary: z
    .object({
      through: z.number().int().min(1).describe('The summary covers turns 1 to this one.'),
      text: z.string(),
    })
    .optional()
    .describe('What the model is told of the turns that left the window (absent: none left it yet).'),
});
export type SessionSnapshot = z.infer<typeof sessionSnapshotSchema>;

export const sessionEndReasonSchema = z.enum(['deleted', 'idle']);
export type SessionEndReason = z.infer<typeof sessionEndReasonSchema>;

/** The `chat_sessions` archive row. */
export const sessionRecordSchema = sessionSummarySchema.extend({
  ended_at: isoTime.nullable(),
  end_reason: sessionEndReasonSchema.nullable(),
});
export type SessionRecord = z.infer<typeof sessionRecordSchema>;

/** Everything the workflow keeps across continue-as-new. */
export type SessionState = SessionSummary & {
  /** Bounded conversation window (never starts inside a tool exchange), tool messages included. */
  messages: ChatMessage[];
  pending: UserMessage[];
  /** Recently seen turn ids, so a repeated signal is ignored; bounded. */
  recent_turn_ids: string[];
  /** An end was asked for while the previous run handed over: the next run ends the session. */
  end_requested?: boolean;
  /** The summary of the turns before the window (SUMMARIES_PATCH); carried across continue-as-new. */
  summary?: ConversationSummary;
};

/** The answer of the `state` query: the snapshot with every message and the queue's length. */
export type SessionView = SessionSnapshot & { pending: number };

export interface ChainModel {
  name: string;
  supports_tools: boolean;
  /**
   * Which provider endpoint + API key the model uses, as an opaque label (never the key): a 401/403
   * stops only the models with the same label. Absent in older inputs: a 401/403 stops the chain.
   */
  provider?: string;
}

/** Settings fixed at session start (recorded in the workflow input, visible in the Web UI). */
export interface SessionSettings {
  system_prompt: string;
  history_window_messages: number;
  history_token_budget: number;
  max_tool_steps: number;
  idle_timeout: string;
  /** The fallback chain, walked in order by the workflow. */
  models: ChainModel[];
  /** Model that answers when the whole chain fails, or null. */
  offline_fallback_model: string | null;
  model_timeout_seconds: number;
  model_max_attempts: number;
  model_retry_initial_ms: number;
  /** Optional in recorded inputs: 30 s when absent. */
  model_heartbeat_timeout_seconds?: number;
  /** Cap of the store activities' retry backoff (they retry until the store is back). Optional in recorded inputs: 30 s when absent. */
  store_retry_max_interval_ms?: number;
  /** Continue-as-new after this many turns in one run (besides when the server suggests it). */
  continue_as_new_after_turns: number;
  /** Messages that may wait behind the running turn; more are rejected (`session_queue_full`). */
  max_pending_messages: number;
  /** Per-session budget: a turn is refused before any model call once the session spent this much (0 = none). */
  max_session_tokens: number;
  max_session_cost: number;
  /** Set the Chat* search attributes (the namespace must have them registered). */
  search_attributes: boolean;
  /** How long a tool call waits for approval before it is denied (`timeout`). Optional in recorded inputs: DEFAULT_TOOL_APPROVAL_TIMEOUT. */
  tool_approval_timeout?: string;
  /**
   * Activity inputs carry the conversation by reference (HISTORY_REF_PATCH). Optional in recorded
   * inputs: absent = on, so a recorded history replays as it ran.
   */
  history_by_reference?: boolean;
  /** Turns leaving the window are summarised (SUMMARIES_PATCH; needs history by reference). Absent = on. */
  conversation_summaries?: boolean;
}

export interface ChatSessionInput {
  session_id: string;
  created_at: string;
  owner: string;
  settings: SessionSettings;
  /** Present when continuing as new. */
  carried?: SessionState;
}

export interface EndSessionRequest {
  /** Cancel the running turn (partial answer kept) instead of letting it finish. */
  cancel_running?: boolean;
  reason?: string;
}
