/**
 * Activity inputs and outputs. Workflows import this file (and the activity interface) as types only.
 */
import type { ChatMessage, ToolCall, TurnResult } from '../workflows/messages';

export interface CallModelInput {
  session_id: string;
  turn_id: string;
  step: number;
  model: string;
  messages: ChatMessage[];
  use_tools: boolean;
  temperature: number;
  max_tokens: number;
}

export interface ModelToolCall extends ToolCall {
  /** False when the model asked for a tool the registry does not have. */
  known: boolean;
}

export interface CallModelResult {
  model: string;
  content: string;
  tool_calls: ModelToolCall[];
  finish_reason: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cost: number;
}

export interface ToolInput {
  session_id: string;
  turn_id: string;
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
}

/** A session event as written to the Redis stream; `data` is JSON. */
export interface SessionEvent {
  type: string;
  data: Record<string, unknown>;
}

export interface SessionSnapshot {
  session_id: string;
  status: 'active' | 'ended';
  created_at: string;
  last_activity_at: string;
  turns: number;
  tokens_used: number;
  cost: number;
  messages: ChatMessage[];
  current_turn: { turn_id: string; step: number; phase: string } | null;
}

export interface MirrorSessionInput {
  snapshot: SessionSnapshot;
  events: SessionEvent[];
}
