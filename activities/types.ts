/**
 * Activity inputs and outputs. Workflows import this file (and the activity interface) as types only.
 */
import type { ChatMessage, ToolCall, TurnResult } from '../workflows/messages';

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
  messages: ChatMessage[];
  use_tools: boolean;
  temperature: number;
  max_tokens: number;
}

export interface ModelToolCall extends ToolCall {
  /** False when the model asked for a tool the registry does not have. */
  known: boolean;
  /** The tool's retry policy from the registry, so the workflow need not import it. */
  policy?: { maximum_attempts: number; timeout_seconds: number };
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
  /** The session row is created from this if the API's insert has not landed (or was lost). */
  session: SessionRecordSeed;
}

export interface SessionRecordSeed {
  owner: string;
  created_at: string;
  title: string | null;
}

export interface RecordSessionEndInput {
  session_id: string;
  session: SessionRecordSeed;
  ended_at: string;
  reason: 'deleted' | 'idle';
}

/** A session event as written to the Redis stream; `data` is JSON. */
export interface SessionEvent {
  type: string;
  data: Record<string, unknown>;
}

export interface SessionSnapshot {
  session_id: string;
  owner: string;
  title: string | null;
  status: 'active' | 'ended';
  created_at: string;
  last_activity_at: string;
  turns: number;
  tokens_used: number;
  cost: number;
  messages: ChatMessage[];
  current_turn: { turn_id: string; step: number; phase: string; model?: string; user_message?: string } | null;
}

export interface MirrorSessionInput {
  snapshot: SessionSnapshot;
  events: SessionEvent[];
}

export interface PublishEventsInput {
  session_id: string;
  events: SessionEvent[];
}

/** The turn in progress, written by the activities as it moves (model → tools → model …). */
export interface LiveTurn {
  turn_id: string;
  step: number;
  phase: 'model' | 'tools';
  model?: string;
  user_message?: string;
  updated_at: string;
}
