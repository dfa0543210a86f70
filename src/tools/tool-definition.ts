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
  /** Safe to run twice (a retry after a crash may repeat it); documented per tool. */
  idempotent: boolean;
  run(args: z.infer<Schema>): Promise<ToolOutcome>;
}

export function defineTool<Schema extends z.ZodType>(tool: ToolDefinition<Schema>): ToolDefinition<Schema> {
  return tool;
}
