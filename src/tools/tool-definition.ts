import type { z } from 'zod';

/** What a tool's run returns before it becomes the model's tool message. */
export interface ToolOutcome {
  ok: boolean;
  /** JSON-serialisable result the model sees. */
  value: unknown;
  error?: string;
  provider?: string;
}

/**
 * One tool: its name and description for the model, a zod schema for its arguments
 * (also the JSON Schema the model receives), and the function the tool's activity runs.
 */
export interface ToolDefinition<Schema extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  schema: Schema;
  run(args: z.infer<Schema>): Promise<ToolOutcome>;
}

export function defineTool<Schema extends z.ZodType>(tool: ToolDefinition<Schema>): ToolDefinition<Schema> {
  return tool;
}
