import { z } from 'zod';
import { calculatorTool } from './calculator';
import type { ToolDefinition } from './tool-definition';

/** Every tool the agent can call. Adding a tool: one file, one line here. */
export const toolRegistry: ReadonlyMap<string, ToolDefinition> = new Map(
  ([calculatorTool] as ToolDefinition[]).map((tool) => [tool.name, tool]),
);

/** The OpenAI `tools` array for the model, with JSON Schema derived from each zod schema. */
export function toolSpecs(): Array<{ type: 'function'; function: { name: string; description: string; parameters: Record<string, unknown> } }> {
  return [...toolRegistry.values()].map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      description: tool.description,
      parameters: jsonSchemaFor(tool.schema),
    },
  }));
}

function jsonSchemaFor(schema: z.ZodType): Record<string, unknown> {
  // Some providers reject the `$schema` marker inside tool parameters.
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-7' }) as Record<string, unknown>;
  return rest;
}
