import { z } from 'zod';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeySchema } from '../requests/idempotency-key';
import {
  approvalRequestSchema,
  callIdSchema,
  cancelRequestSchema,
  chatRequestSchema,
  lastEventIdSchema,
  sessionEventsQuerySchema,
  sessionIdSchema,
} from '../requests/request-schemas';
import {
  cancelResultSchema,
  errorResponseSchema,
  healthSchema,
  historySchema,
  modelListSchema,
  sessionCreatedSchema,
  sessionListSchema,
  streamEventSchema,
} from './response-schemas';
import {
  memoriesDeletedSchema,
  memoryIdSchema,
  memoryListQuerySchema,
  memoryListSchema,
} from '../memory/memory-schemas';
import { SESSION_STREAM_EVENTS, TURN_STREAM_EVENTS, type EventName } from '../../contract/event-catalog';
import { sessionRecordSchema, sessionSnapshotSchema } from '../../contract/session';
import { approvalAnswerSchema } from '../../contract/tool-approval';
import { turnResultSchema } from '../../contract/turn';

/** Named schemas, emitted once under components.schemas and referenced by name. */
export function componentSchemas(maxMessageChars: number) {
  return {
    ChatRequest: chatRequestSchema(maxMessageChars),
    Error: errorResponseSchema,
    SessionCreated: sessionCreatedSchema,
    TurnResult: turnResultSchema,
    History: historySchema,
    SessionSnapshot: sessionSnapshotSchema,
    Health: healthSchema,
    StreamEvent: streamEventSchema,
    SessionList: sessionListSchema,
    SessionRecord: sessionRecordSchema,
    CancelResult: cancelResultSchema,
    CancelRequest: cancelRequestSchema,
    ModelList: modelListSchema,
    ApprovalRequest: approvalRequestSchema,
    ApprovalAnswer: approvalAnswerSchema,
    MemoryList: memoryListSchema,
    MemoriesDeleted: memoriesDeletedSchema,
  } satisfies Record<string, z.ZodType>;
}

export type SchemaName = keyof ReturnType<typeof componentSchemas>;

export interface ResponseSpec {
  description: string;
  schema?: SchemaName;
  /** Default application/json. */
  contentType?: string;
  headers?: Record<string, string>;
  /** For text/event-stream: the event names the stream may carry (rendered as x-sse-events). */
  events?: readonly EventName[];
}

export interface OperationSpec {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI path template, e.g. /api/chat/history/{session_id}. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: 'chat' | 'memory' | 'operations';
  /** No API key needed and no rate limit (probes, scrapers, docs). */
  public?: boolean;
  pathParams?: Record<string, z.ZodType>;
  headerParams?: Array<{ name: string; description: string; schema: z.ZodType }>;
  queryParams?: Array<{ name: string; description: string; schema: z.ZodType }>;
  requestBody?: SchemaName;
  /** The body may be left out (default: required). */
  requestBodyOptional?: boolean;
  responses: Record<number, ResponseSpec>;
}

const err = (description: string): ResponseSpec => ({ description, schema: 'Error' });
const sessionParam = { session_id: sessionIdSchema };
/** Answers every /api operation can give. */
const apiErrors: Record<number, ResponseSpec> = {
  401: {
    ...err('Missing or invalid API key (only when API keys are configured).'),
    headers: { 'WWW-Authenticate': 'Bearer realm="api"' },
  },
  429: {
    ...err(
      'Rate limited (rate_limited); for messages also: too many messages queued in the session (session_queue_full).',
    ),
    headers: { 'Retry-After': 'Seconds to wait before retrying.' },
  },
  503: {
    ...err(
      'A dependency is unavailable (dependency_unavailable; details.dependency is redis, archive or temporal), or this API process is shutting down (server_shutting_down: the turn goes on; details name where to follow it).',
    ),
    headers: { 'Retry-After': 'Seconds to wait before retrying.' },
  },
};
const bodyErrors: Record<number, ResponseSpec> = {
  400: err('Malformed JSON body.'),
  413: err('Body larger than BODY_LIMIT_BYTES.'),
  415: err('Body is not application/json.'),
  422: err('A field is missing, of the wrong type or out of range; details name each field.'),
};
const sseFraming =
  'Each event has an `event:` name, a JSON `data:` line (see StreamEvent for the data of each name) and, when it comes from the session stream, an `id:` (a Redis stream id). Comment lines (`: ping`) keep idle connections open.';

/** Answers of both SSE routes before the stream starts. */
const tooManyStreams: ResponseSpec = {
  ...err(
    'Rate limited (rate_limited), or the caller already holds SSE_MAX_STREAMS_PER_PRINCIPAL open streams on this API process (too_many_streams: close one, or retry after Retry-After).',
  ),
  headers: { 'Retry-After': 'Seconds to wait before retrying.' },
};
const slowConsumer =
  ' A client that stops reading (its send buffer stays full for SSE_DRAIN_TIMEOUT_SECONDS) gets a last `slow_consumer` event and the connection is closed: resume with the id of the last event received as Last-Event-ID.';

const idErrors: Record<number, ResponseSpec> = {
  404: err('No such session.'),
  422: err('session_id is not a UUID.'),
};

/** The Idempotency-Key header of the operations that start something, and the answers it adds. */
const idempotencyHeader = [
  {
    name: IDEMPOTENCY_KEY_HEADER,
    description:
      'Optional. A retry with the same key (same principal, same body) repeats the first request instead of acting again: ' +
      'the same session and turn (ids derived from the key), the same answer (from the archive once the turn finished, ' +
      'else by waiting for it), no second model call. Remembered at least IDEMPOTENCY_TTL_SECONDS (24 h); the same key ' +
      'with another body is refused (idempotency_key_reused).',
    schema: idempotencyKeySchema,
  },
];
const idempotencyErrors: Record<number, ResponseSpec> = {
  400: err('Malformed JSON body, or an invalid Idempotency-Key header (invalid_idempotency_key).'),
  422: err(
    'A field is missing, of the wrong type or out of range (validation_failed; details name each field), or the Idempotency-Key was already used with another request (idempotency_key_reused).',
  ),
};

/** Routes documented before they are registered (none now); the sync test tolerates only these. */
export const DOCUMENTED_AHEAD: readonly string[] = [];

export const operations: OperationSpec[] = [
  {
    method: 'post',
    path: '/api/chat/session',
    operationId: 'createSession',
    summary: 'Start a session',
    description: 'Starts the session workflow `chat-session-<session_id>`.',
    tag: 'chat',
    headerParams: idempotencyHeader,
    responses: {
      201: {
        description: 'Session started (or, on a retry with the same Idempotency-Key, the same session).',
        schema: 'SessionCreated',
      },
      ...idempotencyErrors,
      ...apiErrors,
    },
  },
  {
    method: 'post',
    path: '/api/chat/message',
    operationId: 'sendMessage',
    summary: 'Send a message and wait for the answer',
    description: 'No session_id starts a new session. Waits for the turn up to TURN_WAIT_TIMEOUT_SECONDS.',
    tag: 'chat',
    headerParams: idempotencyHeader,
    requestBody: 'ChatRequest',
    responses: {
      200: {
        description: 'The finished turn: status completed, or cancelled (with the partial answer).',
        schema: 'TurnResult',
      },
      ...bodyErrors,
      ...idempotencyErrors,
      402: err('The session has used its token or cost budget (budget_exceeded); no model was called.'),
      404: err('session_id names no session of the caller.'),
      409: err('A turn is running and the message asked double_texting=reject (session_busy).'),
      410: err('The session has ended (session_ended).'),
      502: err('The model failed the turn.'),
      504: err('The turn is still running; read the history later.'),
      ...apiErrors,
    },
  },
  {
    method: 'post',
    path: '/api/chat/message/stream',
    operationId: 'streamMessage',
    summary: 'Send a message and stream the answer (SSE)',
    description:
      'Same body as /api/chat/message. Answers text/event-stream: `metadata` first, then the events of the turn (`message` chunks, `reset`, `model_switched`, `tool_call`, `tool_result`), ending with `done`, `error` or `cancelled` (or `server_shutdown`). ' +
      sseFraming +
      ' To resume after a drop, follow GET /api/chat/session/{session_id}/events?until=done&turn_id={turn_id} with the last id seen.' +
      slowConsumer +
      ' With cancel_on_disconnect the turn is cancelled only when the client disconnects before the turn ends (not when the stream ends normally, when the API shuts down, or when it drops a slow consumer).' +
      ' A retry with the same Idempotency-Key streams the same turn from its start.',
    tag: 'chat',
    headerParams: idempotencyHeader,
    requestBody: 'ChatRequest',
    responses: {
      200: {
        description: 'Server-sent events of the turn.',
        schema: 'StreamEvent',
        contentType: 'text/event-stream',
        events: TURN_STREAM_EVENTS,
      },
      ...bodyErrors,
      ...idempotencyErrors,
      404: err('session_id names no session of the caller.'),
      410: err('The session has ended (session_ended).'),
      ...apiErrors,
      429: tooManyStreams,
    },
  },
  {
    method: 'get',
    path: '/api/chat/history/{session_id}',
    operationId: 'getHistory',
    summary: 'Archived messages of a session, in order',
    tag: 'chat',
    pathParams: sessionParam,
    responses: { 200: { description: 'The history.', schema: 'History' }, ...idErrors, ...apiErrors },
  },
  {
    method: 'get',
    path: '/api/chat/session/{session_id}',
    operationId: 'getSession',
    summary: 'Live session snapshot',
    description: 'From Redis, rebuilt from the workflow state query when missing.',
    tag: 'chat',
    pathParams: sessionParam,
    responses: { 200: { description: 'The snapshot.', schema: 'SessionSnapshot' }, ...idErrors, ...apiErrors },
  },
  {
    method: 'get',
    path: '/api/chat/session/{session_id}/events',
    operationId: 'streamSessionEvents',
    summary: "Follow a session's events (SSE), resumable",
    description:
      'Every event of the session from the start of its stream, or after Last-Event-ID, then live. Without until=done it stays open (through turns and `session_ended`) until the client leaves. ' +
      sseFraming +
      ' If the id is older than the capped stream keeps, the answer is one `stream_expired` event; an id the stream has not reached yet (or not a stream id) is a 400.' +
      slowConsumer,
    tag: 'chat',
    pathParams: sessionParam,
    headerParams: [
      {
        name: 'Last-Event-ID',
        description: 'Resume after this event id (a Redis stream id). Wins over the last_event_id query parameter.',
        schema: lastEventIdSchema,
      },
    ],
    queryParams: [
      {
        name: 'last_event_id',
        description: 'Same as the Last-Event-ID header, for clients that cannot set headers (EventSource).',
        schema: lastEventIdSchema,
      },
      {
        name: 'until',
        description: 'done: end the stream after the next done, error or cancelled event (of turn_id when given).',
        schema: z.enum(['done']),
      },
      {
        name: 'turn_id',
        description:
          "Only this turn's events (a message's turn_id); with until=done the stream ends at this turn's done, error or cancelled, not another turn's.",
        schema: sessionEventsQuerySchema.shape.turn_id.unwrap(),
      },
    ],
    responses: {
      200: {
        description: 'Server-sent events of the session.',
        schema: 'StreamEvent',
        contentType: 'text/event-stream',
        events: SESSION_STREAM_EVENTS,
      },
      400: err(
        'Last-Event-ID (or last_event_id) is not a stream id, or names an event the stream has not reached (invalid_last_event_id).',
      ),
      404: err('No such session.'),
      422: err('session_id is not a UUID, until is not "done", or turn_id is not a UUID.'),
      ...apiErrors,
      429: tooManyStreams,
    },
  },
  {
    method: 'post',
    path: '/api/chat/session/{session_id}/cancel',
    operationId: 'cancelTurn',
    summary: 'Cancel the turn in progress',
    description:
      'Asynchronous: the running turn ends with a `cancelled` event (its partial answer kept); queued messages still run. The optional body `{"turn_id": "..."}` cancels only that turn: if it is not the running one (finished, or still queued), nothing is cancelled.',
    tag: 'chat',
    pathParams: sessionParam,
    requestBody: 'CancelRequest',
    requestBodyOptional: true,
    responses: {
      202: { description: 'Cancellation requested.', schema: 'CancelResult' },
      ...idErrors,
      422: err('session_id or turn_id is not a UUID, or the body has other fields.'),
      400: err('Malformed JSON body.'),
      415: err('Body is not application/json.'),
      410: err('The session has ended.'),
      ...apiErrors,
    },
  },
  {
    method: 'post',
    path: '/api/chat/session/{session_id}/tool-calls/{call_id}/approval',
    operationId: 'decideToolCall',
    summary: 'Approve or deny a tool call waiting for approval',
    description:
      "A Temporal Update: answers once the session applied the decision. Approved, the tool runs (with `arguments` instead of the model's when given); denied, the model receives a tool result saying the user declined (with `reason`) and the turn goes on. Pending calls are listed in `pending_approvals` of GET /api/chat/session/{session_id} and announced by `approval_required` events; a call not decided by its `expires_at` is denied with reason `timeout`.",
    tag: 'chat',
    pathParams: { ...sessionParam, call_id: callIdSchema },
    requestBody: 'ApprovalRequest',
    responses: {
      200: { description: 'The decision was applied; `next` says what happens now.', schema: 'ApprovalAnswer' },
      400: err('Malformed JSON body.'),
      404: err('No such session (session_not_found), or no call with this call_id waits in it (approval_not_found).'),
      409: err('The call was already decided, expired (timeout) or cancelled (approval_already_decided).'),
      410: err('The session has ended.'),
      415: err('Body is not application/json.'),
      422: err(
        "A field is missing or of the wrong type, or the edited arguments do not match the tool's JSON Schema (validation_failed; details name each field).",
      ),
      ...apiErrors,
    },
  },
  {
    method: 'get',
    path: '/api/chat/sessions',
    operationId: 'listSessions',
    summary: "The caller's sessions",
    description:
      "Only sessions the caller (its API key's principal) created, newest first. Query: limit (1-100, default 20), cursor (next_cursor of the previous page), status (active|ended).",
    tag: 'chat',
    responses: {
      200: { description: 'Sessions, newest first.', schema: 'SessionList' },
      422: err('Bad limit, cursor or status.'),
      ...apiErrors,
    },
  },
  {
    method: 'get',
    path: '/api/chat/models',
    operationId: 'listModels',
    summary: 'The configured model chain',
    description:
      'The models a message may name in `model` (the fallback chain, in order; the first is the default). The chat page offers them per message.',
    tag: 'chat',
    responses: { 200: { description: 'The models.', schema: 'ModelList' }, ...apiErrors },
  },
  {
    method: 'delete',
    path: '/api/chat/session/{session_id}',
    operationId: 'deleteSession',
    summary: 'End a session',
    description:
      'Ends the session workflow: the running turn is cancelled (its partial answer archived as cancelled) unless ?finish_running=true, queued messages are archived as cancelled without running, the session row is marked ended and the workflow completes. The archive is kept. Idempotent: ending an ended session answers the same record.',
    tag: 'chat',
    pathParams: sessionParam,
    responses: { 200: { description: 'The ended session.', schema: 'SessionRecord' }, ...idErrors, ...apiErrors },
  },
  {
    method: 'get',
    path: '/api/memory',
    operationId: 'listMemories',
    summary: "The caller's long-term memories",
    description:
      "What the agent keeps for the caller (its principal) across sessions, stored by the `remember` tool: newest first, or with `q` the ones containing its keywords, best first (at most 50). Each names the session and turn that stored it. Only the caller's own memories; a cancelled turn's are never kept.",
    tag: 'memory',
    queryParams: [
      { name: 'q', description: 'Keywords to search for.', schema: memoryListQuerySchema.shape.q },
      {
        name: 'limit',
        description: 'Most memories answered (1-100, default 50).',
        schema: memoryListQuerySchema.shape.limit,
      },
    ],
    responses: {
      200: { description: 'The memories.', schema: 'MemoryList' },
      422: err('Bad q or limit.'),
      ...apiErrors,
    },
  },
  {
    method: 'delete',
    path: '/api/memory',
    operationId: 'forgetAllMemories',
    summary: 'Forget everything',
    description: "Deletes every memory of the caller's principal (no other principal's).",
    tag: 'memory',
    responses: { 200: { description: 'How many were deleted.', schema: 'MemoriesDeleted' }, ...apiErrors },
  },
  {
    method: 'delete',
    path: '/api/memory/{id}',
    operationId: 'deleteMemory',
    summary: 'Forget one memory',
    description:
      "Deletes one of the caller's memories. Another principal's memory id answers 404, as a missing one does.",
    tag: 'memory',
    pathParams: { id: memoryIdSchema },
    responses: {
      204: { description: 'Deleted.' },
      404: err('The caller has no memory with this id (memory_not_found).'),
      422: err('id is not a positive integer.'),
      ...apiErrors,
    },
  },
  {
    method: 'get',
    path: '/health',
    operationId: 'health',
    summary: 'Dependency status, model mode and whether the API is open',
    tag: 'operations',
    public: true,
    responses: {
      200: { description: 'All dependencies up.', schema: 'Health' },
      503: { description: 'A dependency is down.', schema: 'Health' },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    tag: 'operations',
    public: true,
    responses: { 200: { description: 'Prometheus text exposition format.', contentType: 'text/plain; version=0.0.4' } },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openApiDocument',
    summary: 'This OpenAPI 3.1 document',
    tag: 'operations',
    public: true,
    responses: { 200: { description: 'The document.' } },
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'docsPage',
    summary: 'API reference (Swagger UI)',
    description:
      'Swagger UI (from the swagger-ui-dist package, served by this API: no CDN) over /openapi.json, with try-it-out and the API key (Authorize). Its assets are under /docs/assets/.',
    tag: 'operations',
    public: true,
    responses: { 200: { description: 'An HTML page.', contentType: 'text/html' } },
  },
];
