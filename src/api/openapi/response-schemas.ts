import { z } from 'zod';

/**
 * What the API answers, as zod schemas: the source of the OpenAPI document's response bodies.
 * They mirror the TypeScript types in workflows/messages.ts and activities/types.ts.
 */
const isoTime = z.iso.datetime({ offset: true }).describe('ISO 8601 time');
const uuid = z.uuid();

export const errorResponseSchema = z
  .object({
    error: z.object({
      status: z.number().int().min(400).max(599),
      code: z.string().describe('Stable machine-readable code, e.g. validation_failed, session_not_found, rate_limited.'),
      message: z.string(),
      details: z.unknown().optional().describe('For validation errors: [{ field, message }].'),
    }),
  })
  .describe('Every error: never a stack trace.');

export const sessionCreatedSchema = z.object({ session_id: uuid, created_at: isoTime });

export const turnResultSchema = z.object({
  session_id: uuid,
  turn_id: uuid,
  status: z.enum(['completed', 'failed']),
  response: z.string(),
  tools_used: z.array(z.string()),
  model_used: z.string(),
  tokens_used: z.number().int().min(0),
  prompt_tokens: z.number().int().min(0),
  completion_tokens: z.number().int().min(0),
  cost: z.number().min(0).describe('USD, from the configured prices.'),
  steps: z.number().int().min(0).describe('Model calls the turn took.'),
  error: z.string().optional(),
  created_at: isoTime,
});

export const historyMessageSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  turn_id: z.string(),
  created_at: z.string(),
  tools_used: z.array(z.string()).optional(),
  model_used: z.string().nullable().optional(),
  status: z.string().optional(),
});

export const historySchema = z.object({ session_id: uuid, messages: z.array(historyMessageSchema) });

const toolCallSchema = z.object({ id: z.string(), name: z.string(), arguments: z.string().describe('Raw JSON text from the model.') });

export const chatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string().nullable(),
  tool_calls: z.array(toolCallSchema).optional(),
  tool_call_id: z.string().optional(),
  turn_id: z.string().optional(),
  created_at: z.string().optional(),
});

export const sessionSnapshotSchema = z.object({
  session_id: uuid,
  owner: z.string(),
  title: z.string().nullable(),
  status: z.enum(['active', 'ended']),
  created_at: isoTime,
  last_activity_at: isoTime,
  turns: z.number().int().min(0),
  tokens_used: z.number().int().min(0),
  cost: z.number().min(0),
  messages: z.array(chatMessageSchema).describe('Recent messages (user and final assistant answers).'),
  current_turn: z.object({ turn_id: z.string(), step: z.number().int(), phase: z.enum(['model', 'tools', 'archiving']) }).nullable(),
});

const checkSchema = z.object({ ok: z.boolean(), error: z.string().optional() });

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.object({
    temporal: checkSchema,
    redis: checkSchema,
    sqlite: checkSchema,
    model: z.object({
      ok: z.boolean(),
      mode: z.enum(['offline', 'provider']),
      model: z.string(),
      base_url: z.string().optional(),
      offline: z.boolean(),
      warning: z.string().optional(),
    }),
    auth: z.object({
      ok: z.boolean(),
      mode: z.enum(['api_keys', 'open']),
      principals: z.number().int().optional(),
      warning: z.string().optional(),
    }),
  }),
});

/**
 * Documented ahead of their routes (see DOCUMENTED_AHEAD in operations.ts): provisional shapes,
 * to be corrected when the routes land if they differ.
 */
export const streamEventSchema = z
  .object({
    turn_id: z.string(),
    step: z.number().int().optional(),
    attempt: z.number().int().optional(),
    model: z.string().optional(),
    content: z.string().optional().describe('`message` events: a chunk of the answer.'),
  })
  .passthrough()
  .describe(
    'The `data:` of one SSE event; its `event:` is metadata, message, reset, model_switched, tool_call, tool_result, done or error, and its `id:` the Redis stream id to resume from with Last-Event-ID.',
  );

export const sessionRecordSchema = z.object({
  session_id: uuid,
  owner: z.string().describe('Principal that created the session.'),
  title: z.string().nullable().describe('First user message, shortened.'),
  status: z.enum(['active', 'ended']),
  created_at: isoTime,
  last_activity_at: isoTime,
  ended_at: isoTime.nullable(),
  end_reason: z.enum(['deleted', 'idle']).nullable(),
  turns: z.number().int().min(0),
  tokens_used: z.number().int().min(0),
  cost: z.number().min(0).describe('USD.'),
});

export const sessionListSchema = z.object({
  sessions: z.array(sessionRecordSchema).describe("The caller's sessions, newest first."),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
});

export const cancelResultSchema = z.object({ session_id: uuid, turn_id: z.string().nullable().optional(), cancelled: z.boolean() });
