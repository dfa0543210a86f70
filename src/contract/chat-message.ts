import { z } from 'zod';

export const toolCallSchema = z.object({
  id: z.string(),
  name: z.string(),
  arguments: z.string().describe('Raw JSON text as the model produced it; validated by the tool, not here.'),
});
export type ToolCall = z.infer<typeof toolCallSchema>;

/** One message of a conversation, as the workflow keeps it and the model sees it. */
export const chatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string().nullable(),
  tool_calls: z.array(toolCallSchema).optional(),
  tool_call_id: z.string().optional(),
  turn_id: z.string().optional(),
  created_at: z.string().optional(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;
