import { z } from 'zod';

import { eventCatalog, type EventName } from '../../contract/event-catalog';
import { sessionRecordSchema } from '../../contract/session';

/** What the API answers, as zod schemas: the source of the OpenAPI document's response bodies. */
const isoTime = z.iso.datetime({ offset: true }).describe('ISO 8601 time');
const uuid = z.uuid();

export const errorResponseSchema = z
  .object({
    error: z.object({
      status: z.number().int().min(400).max(599),
      code: z
        .string()
        .describe('Stable machine-readable code, e.g. validation_failed, session_not_found, rate_limited.'),
      message: z.string(),
      details: z.unknown().optional().describe('For validation errors: [{ field, message }].'),
    }),
  })
  .describe('Every error: never a stack trace.');

export const sessionCreatedSchema = z.object({ session_id: uuid, created_at: isoTime });

const historyMessageSchema = z.object({
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  turn_id: z.string(),
  created_at: z.string(),
  tools_used: z.array(z.string()).optional(),
  model_used: z.string().nullable().optional(),
  status: z.string().optional(),
});

export const historySchema = z.object({ session_id: uuid, messages: z.array(historyMessageSchema) });

const checkSchema = z.object({ ok: z.boolean() }).describe('Up or down; why a part is down is in the service log.');

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.object({
    temporal: z
      .object({
        ok: z.boolean(),
        address: z.string().optional(),
        namespace: z.string().optional(),
        tls: z.enum(['none', 'tls', 'mtls']).optional(),
        api_key: z.enum(['set', 'unset']).optional(),
      })
      .describe(
        'The Temporal server the API is connected to: up or down, its address and namespace, `tls` (none, tls, or mtls with a client certificate) and whether an API key is set — never the key or certificates.',
      ),
    redis: checkSchema,
    archive: z
      .object({ ok: z.boolean(), backend: z.enum(['sqlite', 'postgres']) })
      .describe('The archive (chat history, sessions): up or down and where it lives, never its address.'),
    sqlite: checkSchema.optional().describe('The archive when it is the SQLite file (same as `archive`).'),
    model: z.object({
      ok: z.boolean(),
      mode: z.enum(['offline', 'provider']),
      offline: z.boolean(),
      warning: z.string().optional(),
    }),
    auth: z.object({
      ok: z.boolean(),
      mode: z.enum(['api_keys', 'open']),
      principals: z.number().int().optional(),
      warning: z.string().optional(),
    }),
    mcp: z
      .object({
        ok: z.boolean(),
        servers: z.array(
          z.object({
            server: z.string(),
            state: z.enum(['connected', 'connecting', 'down']),
            tools: z.number().int(),
            workers: z.number().int(),
          }),
        ),
      })
      .optional()
      .describe(
        'MCP servers as the workers report them (present when MCP_SERVERS is set); a server down does not degrade the status.',
      ),
  }),
});

export const streamEventSchema = z
  .discriminatedUnion(
    'event',
    (Object.entries(eventCatalog) as Array<[EventName, z.ZodType]>).map(([event, data]) =>
      z.object({
        event: z.literal(event),
        id: z
          .string()
          .optional()
          .describe(
            'The `id:` line: the Redis stream id, to resume from with Last-Event-ID (absent on events the API makes itself).',
          ),
        data,
      }),
    ) as unknown as [z.ZodObject, ...z.ZodObject[]],
  )
  .describe('One server-sent event: its `event:` name, its `id:` line and its `data:` line (JSON).');

export const sessionListSchema = z.object({
  sessions: z.array(sessionRecordSchema).describe("The caller's sessions, newest first."),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
});

export const cancelResultSchema = z
  .object({
    session_id: uuid,
    turn_id: uuid
      .nullable()
      .describe('The turn named in the request, else the one that was running, or null when none was.'),
    cancelled: z.boolean().describe('Whether that turn was running and was asked to stop; queued messages still run.'),
  })
  .describe('Cancellation is asynchronous: the turn ends with a `cancelled` event.');

export const modelListSchema = z
  .object({
    models: z
      .array(z.object({ name: z.string(), supports_tools: z.boolean() }))
      .describe('The fallback chain, in order: any name may be sent as `model` with a message.'),
    default_model: z.string().nullable().describe('First in the chain: used when a message names no model.'),
    offline: z.boolean().describe('The built-in rule-based offline model answers (no real LLM configured).'),
  })
  .describe('The configured models.');
export type ModelList = z.infer<typeof modelListSchema>;
