import type { z } from 'zod';

/** What a tool's run returns before it becomes the model's tool message. */
export interface ToolOutcome {
  ok: boolean;
  /** JSON-serialisable result the model sees. */
  value: unknown;
  error?: string;
  /** Which provider answered (e.g. open-meteo, offline). */
  provider?: string;
}

/** How the tool's activity is retried; the workflow reads it from the model call's result. */
export interface ToolPolicy {
  maximumAttempts: number;
  timeoutSeconds: number;
}

/**
 * Whether a call waits for a person's decision before it runs: `never`, `always`, or decided per
 * call by a rule on its (validated) arguments. TOOL_APPROVAL overrides it per tool.
 */
export type ToolApprovalPolicy = 'never' | 'always' | ((args: unknown) => boolean);

/** Who is calling a tool: the idempotency key lets a tool with side effects pass one to its backend. */
export interface ToolRunContext {
  session_id: string;
  turn_id: string;
  call_id: string;
  /** `turn_id:call_id`, the same on every retry of this call. */
  idempotency_key: string;
  /** Aborts when the turn is cancelled (or the worker shuts down): a long tool stops its work. */
  signal?: AbortSignal;
}

/**
 * One tool: its name and description for the model, a zod schema for its arguments (also the
 * JSON Schema the model receives), its retry policy, and the function its activity runs.
 */
export interface ToolDefinition<Schema extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  schema: Schema;
  policy: ToolPolicy;
  /** Results may be cached by tool + normalized arguments (pure reads only). */
  cacheable: boolean;
  /**
   * Safe to run twice (a retry after a crash may repeat it); documented per tool. When false,
   * the activity runs it at most once per call through the tool-run ledger.
   */
  idempotent: boolean;
  /** Absent: `never`. */
  approval?: ToolApprovalPolicy;
  /** JSON Schema sent to the model as is (MCP tools); absent: derived from `schema`. */
  parameters?: Record<string, unknown>;
  run(args: z.infer<Schema>, context?: ToolRunContext): Promise<ToolOutcome>;
}

export function defineTool<Schema extends z.ZodType>(tool: ToolDefinition<Schema>): ToolDefinition<Schema> {
  return tool;
}
