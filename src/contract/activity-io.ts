import type { ChatMessage, ToolCall } from './chat-message';
import type { ConversationSummary, MessageRef, TurnRange } from './conversation';
import type { SessionEvent } from './event-catalog';
import type { SessionEndReason, SessionRecordSeed, SessionSnapshot } from './session';
import type { ApprovalMode } from './tool-approval';
import type { ModelAttempt, ModelCallUsage, TurnResult } from './turn';

/** Inputs and outputs of the session's activities; the workflow sees activities only through these. */
export interface CallModelInput {
  session_id: string;
  turn_id: string;
  /** The API request that sent the turn's message, for log correlation. */
  request_id?: string;
  step: number;
  model: string;
  /** Set when the chain moved on: this call emits `model_switched` first. */
  previous_model?: string;
  previous_error?: string;
  /** The offline model answering because every configured model failed. */
  offline_fallback?: boolean;
  /** The context, or (history by reference) only what leads it: the system prompt. */
  messages: ChatMessage[];
  /**
   * History by reference: the window's turns, loaded by the activity from the conversation store or
   * the archive and sent after `messages`. Absent: `messages` is the whole context.
   */
  history_turns?: TurnRange;
  /** History by reference: the running turn's messages so far, sent after the window's. */
  turn_messages?: MessageRef[];
  /** The summary of the turns before the window (by its `through`): its note follows the system prompt. */
  summary_through?: number;
  use_tools: boolean;
  temperature: number;
  max_tokens: number;
  /**
   * The model's own failures (429, 5xx, resets, provider timeouts) this call tolerates before it
   * fails for good; infrastructure faults (worker death, shutdown, store writes) never count.
   * Absent in older histories: the activity's retry policy limits attempts instead.
   */
  model_failure_limit?: number;
  /** The model must finish streaming within this; past it the attempt is the model's failure. */
  model_timeout_seconds?: number;
  /** `always`: every known tool call of this turn waits for approval (the answer carries each tool's schema). Absent: auto. */
  approval?: ApprovalMode;
  /** The session's owner, whose long-term memories are recalled into the call. Absent in older histories: no recall. */
  owner?: string;
  /**
   * Set when this call may end the turn (history by reference): an answer without tool calls is
   * archived, then published (`done` and the snapshot) by this call, and returned as `finished`.
   */
  finish?: TurnFinish;
}

/** What a turn spent and tried so far, as data: a model call that may end the turn computes its result from it. */
export interface TurnUsageRecord {
  model_used: string;
  model_calls: ModelCallUsage[];
  models_tried: ModelAttempt[];
  tools_used: string[];
  offline_fallback: boolean;
}

/**
 * Everything a turn's end needs but the final answer, made by the workflow before the call: what
 * finishTurn gets, minus what the answer decides (the result, the answer's message).
 */
export interface TurnFinish {
  /** The turn's usage before this step; the chain adds the models it tried before this one. */
  usage: TurnUsageRecord;
  /**
   * The archive's fields but the result and the messages: those are `turn_messages` and the answer, and the
   * user message's text is the first of them (not repeated here: the signal carries it already).
   */
  archive: Omit<ArchiveTurnInput, 'result' | 'messages' | 'seq' | 'user_message'> & { seq: number };
  /**
   * The snapshot once the turn is recorded, by reference (no messages or summary): all but
   * `tokens_used` and `cost` (before this turn's, which the call adds) and `last_activity_at` (the answer's time).
   */
  snapshot: SessionSnapshot;
  /** The snapshot's turns and summary, loaded by the call after archiving. */
  by_reference: { turns: TurnRange; summary_through?: number };
}

/** A turn a model call ended: its archived result and the stream id of its `done` event. */
export interface FinishedTurn {
  /** The archived result but its response, which is the call's `content` (a body is not carried twice). */
  result: Omit<TurnResult, 'response'>;
  done_id: string;
}

/** Tokens and cost one model attempt (or several) consumed, whether it answered or not. */
export interface ModelSpend {
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  cost: number;
  /** True when some tokens are estimated from text length (no usage from the provider). */
  usage_estimated: boolean;
}

export interface ModelToolCall extends ToolCall {
  /** False when the model asked for a tool the registry does not have. */
  known: boolean;
  /** The tool's retry policy from the registry, so the workflow need not import it. */
  policy?: { maximum_attempts: number; timeout_seconds: number };
  /** The tool's approval policy says this call waits for a person's decision before it runs. */
  needs_approval?: boolean;
  /** The tool's JSON Schema, sent only with calls that may wait for approval (edited arguments are checked against it). */
  parameters?: Record<string, unknown>;
}

export interface CallModelResult {
  model: string;
  content: string;
  tool_calls: ModelToolCall[];
  finish_reason: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  /** True when the provider sent no usage and the tokens are estimated from text length. */
  usage_estimated: boolean;
  cost: number;
  /** What earlier attempts of this call spent before failing (e.g. a connection reset mid-stream). */
  failed_attempts_spend?: ModelSpend;
  /** The call archived and published the turn's end (it had `finish` and answered without tool calls). */
  finished?: FinishedTurn;
}

export interface ToolInput {
  session_id: string;
  turn_id: string;
  /** The API request that sent the turn's message, for log correlation. */
  request_id?: string;
  call_id: string;
  arguments: string;
}

export interface ToolResult {
  ok: boolean;
  /** What the model sees as the tool message content. */
  content: string;
  error?: string;
  provider?: string;
}

export interface ArchiveTurnInput {
  result: TurnResult;
  user_message: string;
  metadata: Record<string, unknown>;
  session: SessionRecordSeed;
  /**
   * The turn's messages (history by reference): archived with the turn and stored as the turn's list
   * in the conversation store, where later activities load it by turn id. Inline because a local
   * activity's input is not recorded in the history.
   */
  messages?: ChatMessage[];
  /** The turn's number in the session (TurnRange), with `messages`. */
  seq?: number;
}

export interface RecordSessionEndInput {
  session_id: string;
  session: SessionRecordSeed;
  ended_at: string;
  reason: SessionEndReason;
}

export interface MirrorSessionInput {
  snapshot: SessionSnapshot;
  events: SessionEvent[];
  /**
   * History by reference: the snapshot's `messages` are these turns' (loaded by the activity), and
   * the turn-ending event of `response_of` gets that turn's archived result (sent slim: no response, attempts or calls).
   */
  by_reference?: { turns: TurnRange; response_of?: string; summary_through?: number };
}

/**
 * A turn's end in one local activity: the archive first, then the snapshot and the turn's ending
 * event (`done`, `cancelled`, `error`), so the answer never precedes its archive. Inline, not by
 * reference: a local activity's input is not recorded in the history.
 */
export interface FinishTurnInput {
  archive: ArchiveTurnInput;
  mirror: Omit<MirrorSessionInput, 'by_reference'>;
}

export interface PublishEventsInput {
  session_id: string;
  events: SessionEvent[];
}

/**
 * Summarises turns that left the window, incrementally: the summary through `from - 1` (if any) and
 * the turns of `range` (by reference) become the summary through `range.to`. Cached by range: a
 * summary already stored for `range.to` is returned without a model call.
 */
export interface SummarizeConversationInput {
  session_id: string;
  turn_id: string;
  request_id?: string;
  range: TurnRange;
  /** The summary through `range.from - 1`, loaded by the activity (none when `range.from` is 1). */
  previous_through?: number;
  /** That summary's text, inline: only when the stores lost it (the workflow still has it). */
  previous_text?: string;
  /** The session's model chain, in order; then `offline_fallback_model` when set. */
  models: string[];
  offline_fallback_model: string | null;
  /** The summary's length limit (its share of the token budget). */
  max_chars: number;
}

/** One tool call as its own activity type, named after the tool. */
export type ToolActivity = (input: ToolInput) => Promise<ToolResult>;

/** The activities a session workflow schedules (tools besides, one activity type per tool). */
export interface SessionActivities {
  callModel(input: CallModelInput): Promise<CallModelResult>;
  /** Idempotent by turn_id. */
  archiveTurn(input: ArchiveTurnInput): Promise<void>;
  recordSessionEnd(input: RecordSessionEndInput): Promise<void>;
  mirrorSession(input: MirrorSessionInput): Promise<void>;
  /** archiveTurn then mirrorSession (inline), as one local activity. */
  finishTurn(input: FinishTurnInput): Promise<void>;
  publishEvents(input: PublishEventsInput): Promise<void>;
  summarizeConversation(input: SummarizeConversationInput): Promise<ConversationSummary>;
}
