import { z } from 'zod';
import { approvalOutcomeSchema, pendingApprovalSchema } from './tool-approval';
import { turnResultSchema } from './turn';

/** Fields of every event a model call writes. */
const modelEventFields = {
  turn_id: z.uuid(),
  step: z.number().int().min(1).describe('Model-call step of the turn.'),
  attempt: z.number().int().min(1).describe('Temporal attempt of this model call.'),
  model: z.string(),
};

export const REJECTION_CODES = ['session_busy', 'session_ended', 'session_queue_full'] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

const rejectedTurnSchema = z
  .object({
    turn_id: z.uuid(),
    status: z.literal('rejected'),
    code: z.enum(REJECTION_CODES),
    message: z.string(),
  })
  .describe('The session refused the message: busy (double_texting=reject), ended, or its queue is full.');

const streamFailedSchema = z
  .object({ code: z.literal('stream_failed'), message: z.string() })
  .describe('The API lost the event stream (sent by the API, no id): reconnect with Last-Event-ID.');

/**
 * Every event a session stream carries, declared once: name → payload schema → type.
 * Producers append only these (typed by `SessionEvent`); consumers narrow by `type`;
 * the OpenAPI stream schemas are generated from `eventCatalog`.
 */
export const eventCatalog = {
  metadata: z
    .object({
      session_id: z.uuid(),
      turn_id: z.uuid(),
      model: z.string().optional(),
      created_at: z.iso.datetime({ offset: true }),
    })
    .describe('First event of POST /api/chat/message/stream (sent by the API, no id).'),
  message: z.object({ ...modelEventFields, content: z.string().describe('The next chunk of the answer.') }),
  reset: z
    .object({ ...modelEventFields, reason: z.literal('retry') })
    .describe('A model call is retried: drop the partial text of this step.'),
  model_switched: z
    .object({
      ...modelEventFields,
      from: z.string(),
      reason: z.string().optional().describe('Failure type of the previous model.'),
      offline_fallback: z.boolean(),
    })
    .describe('The fallback chain moved on to `model`.'),
  tool_call: z.object({
    ...modelEventFields,
    id: z.string(),
    name: z.string(),
    arguments: z.string().describe('Raw JSON text from the model.'),
  }),
  tool_result: z.object({
    turn_id: z.uuid(),
    call_id: z.string(),
    name: z.string(),
    ok: z.boolean(),
    content: z.string().describe('What the model sees (JSON text).'),
    provider: z.string().optional(),
    attempt: z.number().int().min(1),
    replayed: z
      .boolean()
      .optional()
      .describe('A retry returned the recorded result of a non-idempotent tool instead of running it again.'),
    cached: z
      .boolean()
      .optional()
      .describe('The result came from the tool-result cache (same tool and arguments recently); the tool did not run.'),
  }),
  approval_required: pendingApprovalSchema.describe(
    'A tool call waits for a decision: POST /api/chat/session/{session_id}/tool-calls/{call_id}/approval.',
  ),
  approval_resolved: z
    .object({
      turn_id: z.uuid(),
      call_id: z.string(),
      tool: z.string(),
      outcome: approvalOutcomeSchema,
      reason: z.string().optional(),
      arguments_edited: z.boolean().optional(),
    })
    .describe('A waiting tool call was decided: approved (it runs now), denied, expired (timeout) or cancelled.'),
  done: turnResultSchema,
  cancelled: turnResultSchema,
  error: z.union([turnResultSchema, rejectedTurnSchema, streamFailedSchema]),
  session_ended: z.object({
    session_id: z.uuid(),
    reason: z.enum(['deleted', 'idle']),
    ended_at: z.iso.datetime({ offset: true }),
  }),
  stream_expired: z
    .object({ session_id: z.uuid(), last_event_id: z.string(), message: z.string() })
    .describe('Last-Event-ID is older than the capped stream keeps: read the history instead. The stream ends.'),
  server_shutdown: z
    .object({ reason: z.string(), resume: z.string() })
    .describe('This API process is stopping: reconnect (any instance) with Last-Event-ID.'),
  slow_consumer: z
    .object({
      last_event_id: z
        .string()
        .describe('Id of the last event the API wrote to this stream (the client may have received fewer).'),
      resume: z.string(),
    })
    .describe(
      'The client read too slowly (its send buffer stayed full for SSE_DRAIN_TIMEOUT_SECONDS): the API ends the stream (sent by the API, no id). Reconnect with the id of the last event received as Last-Event-ID.',
    ),
};

export type EventName = keyof typeof eventCatalog;
export type EventData<N extends EventName> = z.infer<(typeof eventCatalog)[N]>;

/** A catalog event: the discriminated union of every name with its payload. */
export type SessionEvent = { [N in EventName]: { type: N; data: EventData<N> } }[EventName];
export type SessionEventOf<N extends EventName> = Extract<SessionEvent, { type: N }>;

/** An event as read back from the stream, with its Redis entry id (the SSE `id:`). */
export type StoredSessionEvent = SessionEvent & { id: string };

/** The events that end a turn: its result (`done`), a failure or refusal (`error`), `cancelled`. */
export const TURN_ENDING_EVENTS = ['done', 'error', 'cancelled'] as const satisfies readonly EventName[];
export type TurnEndingEvent = SessionEventOf<(typeof TURN_ENDING_EVENTS)[number]>;

/** What POST /api/chat/message/stream sends: only the started turn's events, ending at its turn-ending event. */
export const TURN_STREAM_EVENTS = [
  'metadata',
  'message',
  'reset',
  'model_switched',
  'tool_call',
  'tool_result',
  'approval_required',
  'approval_resolved',
  'done',
  'error',
  'cancelled',
  'server_shutdown',
  'slow_consumer',
] as const satisfies readonly EventName[];

/** What GET /api/chat/session/{session_id}/events sends: every event of the session. */
export const SESSION_STREAM_EVENTS = [
  'message',
  'reset',
  'model_switched',
  'tool_call',
  'tool_result',
  'approval_required',
  'approval_resolved',
  'done',
  'error',
  'cancelled',
  'session_ended',
  'stream_expired',
  'server_shutdown',
  'slow_consumer',
] as const satisfies readonly EventName[];

export function isTurnEnding(event: SessionEvent): event is TurnEndingEvent {
  return (TURN_ENDING_EVENTS as readonly string[]).includes(event.type);
}

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(eventCatalog, name);
}

/**
 * A stored entry as a catalog event, or undefined when its name is unknown or its payload does
 * not match. The one place where untyped stream data becomes a typed event.
 */
export function readSessionEvent(type: string, data: unknown): SessionEvent | undefined {
  if (!isEventName(type)) return undefined;
  const parsed = eventCatalog[type].safeParse(data);
  return parsed.success ? ({ type, data: parsed.data } as SessionEvent) : undefined;
}

/** The turn an event belongs to, if it belongs to one. */
export function turnIdOf(event: SessionEvent): string | undefined {
  return 'turn_id' in event.data ? event.data.turn_id : undefined;
}
