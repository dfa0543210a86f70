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

const modelAttemptSchema = z.object({
  model: z.string(),
  outcome: z.enum(['answered', 'skipped_no_tools', 'failed']),
  error_type: z.string().optional().describe('For failed: ModelRateLimitedError, ModelServerError, ModelAuthError, ...'),
  error: z.string().optional(),
  step: z.number().int().min(1).optional().describe('The model-call step of the turn this attempt belongs to.'),
});

const modelCallUsageSchema = z.object({
  model: z.string(),
  step: z.number().int().min(1),
  prompt_tokens: z.number().int().min(0),
  completion_tokens: z.number().int().min(0),
  usage_estimated: z.boolean().describe('The provider sent no usage; tokens are estimated from text length.'),
  cost: z.number().min(0),
});

export const turnResultSchema = z
  .object({
    session_id: uuid,
    turn_id: uuid,
    status: z
      .enum(['completed', 'failed', 'cancelled', 'rejected'])
      .describe('cancelled keeps the partial answer; rejected: the session was busy and the message asked double_texting=reject.'),
    response: z.string(),
    tools_used: z.array(z.string()),
    model_used: z.string(),
    tokens_used: z.number().int().min(0),
    prompt_tokens: z.number().int().min(0),
    completion_tokens: z.number().int().min(0),
    cost: z.number().min(0).describe('USD, from the configured prices.'),
    steps: z.number().int().min(0).describe('Model calls the turn took.'),
    error: z.string().optional().describe('Why the turn failed (status failed).'),
    models_tried: z.array(modelAttemptSchema).describe('Every model the fallback chain tried, in order, and how each fared.'),
    model_calls: z.array(modelCallUsageSchema).describe('Tokens and cost of each successful model call.'),
    offline_fallback: z.boolean().describe('The built-in offline model answered because every configured model failed.'),
    created_at: isoTime,
  })
  .describe('A finished turn: the body of POST /api/chat/message and the data of the done, cancelled and (failed) error events.');

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
  current_turn: z
    .object({
      turn_id: z.string(),
      step: z.number().int(),
      phase: z.enum(['model', 'tools', 'archiving']),
      model: z.string().optional().describe('The model being called (live, while the turn runs).'),
      user_message: z.string().optional(),
    })
    .nullable(),
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

/** Fields of every event a model call writes to the session stream. */
const modelEventFields = {
  turn_id: uuid,
  step: z.number().int().min(1).describe('Model-call step of the turn.'),
  attempt: z.number().int().min(1).describe('Temporal attempt of this model call.'),
  model: z.string(),
};

/** The `data:` of each SSE event, by event name (the `event:` line). */
export const streamEventData = {
  metadata: z.object({ session_id: uuid, turn_id: uuid, model: z.string().optional(), created_at: isoTime }).describe('First event of POST /api/chat/message/stream (sent by the API, no id).'),
  message: z.object({ ...modelEventFields, content: z.string().describe('The next chunk of the answer.') }),
  reset: z.object({ ...modelEventFields, reason: z.literal('retry') }).describe('A model call is retried: drop the partial text of this step.'),
  model_switched: z
    .object({ ...modelEventFields, from: z.string(), reason: z.string().describe('Failure type of the previous model.'), offline_fallback: z.boolean() })
    .describe('The fallback chain moved on to `model`.'),
  tool_call: z.object({ ...modelEventFields, id: z.string(), name: z.string(), arguments: z.string().describe('Raw JSON text from the model.') }),
  tool_result: z.object({
    turn_id: uuid,
    call_id: z.string(),
    name: z.string(),
    ok: z.boolean(),
    content: z.string().describe('What the model sees (JSON text).'),
    provider: z.string().optional(),
    attempt: z.number().int().min(1),
  }),
  done: turnResultSchema,
  cancelled: turnResultSchema,
  error: z.union([
    turnResultSchema,
    z.object({ turn_id: uuid, status: z.literal('rejected'), code: z.literal('session_busy'), message: z.string() }).describe('The message asked double_texting=reject and a turn was running.'),
    z.object({ code: z.literal('stream_failed'), message: z.string() }).describe('The API lost the event stream (sent by the API, no id): reconnect with Last-Event-ID.'),
  ]),
  session_ended: z.object({ session_id: uuid }),
  stream_expired: z
    .object({ session_id: uuid, last_event_id: z.string(), message: z.string() })
    .describe('Last-Event-ID is older than the capped stream keeps: read the history instead. The stream ends.'),
  server_shutdown: z.object({ reason: z.string(), resume: z.string() }).describe('This API process is stopping: reconnect (any instance) with Last-Event-ID.'),
};

export type StreamEventName = keyof typeof streamEventData;

export const streamEventSchema = z
  .discriminatedUnion(
    'event',
    (Object.entries(streamEventData) as Array<[StreamEventName, z.ZodType]>).map(([event, data]) =>
      z.object({
        event: z.literal(event),
        id: z.string().optional().describe('The `id:` line: the Redis stream id, to resume from with Last-Event-ID (absent on events the API makes itself).'),
        data,
      }),
    ) as unknown as [z.ZodObject, ...z.ZodObject[]],
  )
  .describe('One server-sent event: its `event:` name, its `id:` line and its `data:` line (JSON).');

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

export const cancelResultSchema = z
  .object({
    session_id: uuid,
    turn_id: uuid.nullable().describe('The turn that was running, or null when none was.'),
    cancelled: z.boolean().describe('Whether a running turn was asked to stop; queued messages still run.'),
  })
  .describe('Cancellation is asynchronous: the turn ends with a `cancelled` event.');
