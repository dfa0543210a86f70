/**
 * The session workflow's message contract: signal, query and payload types.
 * Deterministic-safe (no I/O); imported by the workflow and by the API alike.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

/** What to do with a message that arrives while a turn runs. */
export type DoubleTextingPolicy = 'enqueue' | 'reject' | 'interrupt';

export interface TurnOptions {
  use_tools: boolean;
  model?: string;
  temperature: number;
  max_tokens: number;
  /** Default `enqueue` (FIFO, each message its own turn). */
  double_texting?: DoubleTextingPolicy;
}

export interface UserMessage {
  turn_id: string;
  text: string;
  options: TurnOptions;
  /** ISO time the API accepted the message. */
  received_at: string;
  /** The API request that sent it, so workflow and activity logs can be joined to the API's. */
  request_id?: string;
}

export interface ToolCall {
  id: string;
  name: string;
  /** Raw JSON text as the model produced it; validated by the tool, not here. */
  arguments: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  turn_id?: string;
  created_at?: string;
}

export type SessionStatus = 'active' | 'ended';

export interface CurrentTurn {
  turn_id: string;
  step: number;
  phase: 'model' | 'tools' | 'archiving';
}

/** How one model in the chain fared for a turn (shown in results and the archive). */
export interface ModelAttempt {
  model: string;
  outcome: 'answered' | 'skipped_no_tools' | 'failed';
  error_type?: string;
  error?: string;
}

/** Accounting for one model call. */
export interface ModelCallUsage {
  model: string;
  step: number;
  prompt_tokens: number;
  completion_tokens: number;
  usage_estimated: boolean;
  cost: number;
}

export interface TurnResult {
  session_id: string;
  turn_id: string;
  /** `cancelled` keeps the partial answer; `rejected` means the session was busy (policy reject). */
  status: 'completed' | 'failed' | 'cancelled' | 'rejected';
  /** Why a turn was not run or failed, in a word a client can branch on (e.g. `budget_exceeded`). */
  code?: string;
  response: string;
  tools_used: string[];
  model_used: string;
  tokens_used: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost: number;
  steps: number;
  error?: string;
  /** Every model the chain tried, in order, and how each fared. */
  models_tried: ModelAttempt[];
  model_calls: ModelCallUsage[];
  /** The built-in offline model answered because every configured model failed. */
  offline_fallback: boolean;
  created_at: string;
}

/** Everything the workflow must keep across continue-as-new. */
export interface SessionState {
  session_id: string;
  owner: string;
  /** The first user message, shortened: the session's title in lists and the Web UI. */
  title: string | null;
  status: SessionStatus;
  created_at: string;
  last_activity_at: string;
  /** Bounded conversation window (never starts inside a tool exchange). */
  messages: ChatMessage[];
  turns: number;
  tokens_used: number;
  cost: number;
  pending: UserMessage[];
  /** Recently seen turn ids, so a repeated signal is ignored; bounded. */
  recent_turn_ids: string[];
}

export interface ChainModel {
  name: string;
  supports_tools: boolean;
}

export interface SessionSettings {
  system_prompt: string;
  history_window_messages: number;
  history_token_budget: number;
  max_tool_steps: number;
  idle_timeout: string;
  /** The fallback chain, walked in order by the workflow. */
  models: ChainModel[];
  /** Model that answers when the whole chain fails (the seed's mock mode), or null. */
  offline_fallback_model: string | null;
  model_timeout_seconds: number;
  model_max_attempts: number;
  model_retry_initial_ms: number;
  /** Absent in sessions started before it existed: 30 s. */
  model_heartbeat_timeout_seconds?: number;
  /** Continue-as-new after this many turns in one run (besides when the server suggests it). */
  continue_as_new_after_turns: number;
  /** Messages that may wait behind the running turn; more are rejected (`session_queue_full`). */
  max_pending_messages: number;
  /** Per-session budget: a turn is refused before any model call once the session spent this much (0 = none). */
  max_session_tokens: number;
  max_session_cost: number;
  /** Set the Chat* search attributes (the namespace must have them registered). */
  search_attributes: boolean;
}

export interface ChatSessionInput {
  session_id: string;
  created_at: string;
  /** Principal that created the session: only it may read or write the session. */
  owner: string;
  settings: SessionSettings;
  /** Present when continuing as new. */
  carried?: SessionState;
}

export interface SessionView {
  session_id: string;
  owner: string;
  title: string | null;
  status: SessionStatus;
  created_at: string;
  last_activity_at: string;
  turns: number;
  tokens_used: number;
  cost: number;
  messages: ChatMessage[];
  current_turn: CurrentTurn | null;
  pending: number;
}

export const userMessageSignal = defineSignal<[UserMessage]>('userMessage');
export interface EndSessionRequest {
  /** Cancel the running turn (partial answer kept) instead of letting it finish. */
  cancel_running?: boolean;
  reason?: string;
}

/** Ends the session: queued messages are not run (each gets a `cancelled` result), then the workflow completes. */
export const endSessionSignal = defineSignal<[EndSessionRequest?]>('endSession');
/** Cancels the running turn (if any); queued messages still run. */
export const cancelTurnSignal = defineSignal<[{ reason?: string }]>('cancelTurn');
export const stateQuery = defineQuery<SessionView>('state');

export const SESSION_WORKFLOW_PREFIX = 'chat-session-';

/** Workflow id is derived from the session id, so any API process can address a session. */
export function sessionWorkflowId(sessionId: string): string {
  return `${SESSION_WORKFLOW_PREFIX}${sessionId}`;
}
