/**
 * Errors the API turns into JSON `{ error: { status, code, message, details? } }`.
 * Anything else that reaches the error middleware is a bug and answers a bare 500 without details.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export class ValidationError extends ApiError {
  override name = 'ValidationError';
  constructor(message: string, details?: unknown) {
    super(422, 'validation_failed', message, details);
  }
}

export class SessionNotFoundError extends ApiError {
  override name = 'SessionNotFoundError';
  constructor(sessionId: string) {
    super(404, 'session_not_found', `Session ${sessionId} does not exist.`);
  }
}

export class ApprovalNotFoundError extends ApiError {
  override name = 'ApprovalNotFoundError';
  constructor(callId: string) {
    super(404, 'approval_not_found', `No tool call ${callId} waits for approval in this session.`);
  }
}

export class ApprovalAlreadyDecidedError extends ApiError {
  override name = 'ApprovalAlreadyDecidedError';
  constructor(message: string) {
    super(409, 'approval_already_decided', message);
  }
}

export class SessionEndedError extends ApiError {
  override name = 'SessionEndedError';
  constructor(sessionId: string) {
    super(410, 'session_ended', `Session ${sessionId} has ended; start a new session.`);
  }
}

/** Seconds a client should wait before retrying a request a dependency outage refused. */
const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

/** The parts a request may wait on; named in `details.dependency` of a 503. */
export type Dependency = 'redis' | 'archive' | 'temporal';

const DEPENDENCY_LABELS: Record<Dependency, string> = {
  redis: 'Redis',
  archive: 'The archive database',
  temporal: 'Temporal',
};

/**
 * A dependency is down or not answering: 503 with Retry-After, naming the part. The cause is kept
 * for the log; the client sees no address, file or stack.
 */
export class DependencyUnavailableError extends ApiError {
  override name = 'DependencyUnavailableError';
  constructor(
    readonly dependency: Dependency,
    reason: string,
  ) {
    super(
      503,
      'dependency_unavailable',
      `${DEPENDENCY_LABELS[dependency]} is unavailable; retry after ${DEPENDENCY_RETRY_AFTER_SECONDS} s.`,
      { dependency, retry_after_seconds: DEPENDENCY_RETRY_AFTER_SECONDS },
      { 'Retry-After': String(DEPENDENCY_RETRY_AFTER_SECONDS) },
    );
    this.cause = reason;
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTCONN',
  'EAI_AGAIN',
]);
/** ioredis: disconnected (offline queue flushed or disabled), command timeout, server loading or busy. */
const REDIS_MESSAGES =
  /Connection is closed|Stream isn't writeable|enableOfflineQueue|Command timed out|Reached the max retries per request limit|^LOADING |^BUSY |^MASTERDOWN|^READONLY/;
/** sqlite3/knex: the file is locked, cannot be opened or read, or no pooled connection came in time. */
const ARCHIVE_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_PROTOCOL',
  // Postgres (pg): connection exceptions, shutting down / starting up, too many connections.
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
/** pg: the server closed the connection or Knex's pool could not open one. */
const PG_MESSAGES = /^Connection terminated|terminating connection due to administrator command/;

/**
 * The one place that tells an outage from a bug: an error from ioredis, knex/sqlite3 or the Temporal
 * client that means "the dependency is down" becomes DependencyUnavailableError; anything else is undefined.
 */
export function dependencyFailureOf(raw: unknown): DependencyUnavailableError | undefined {
  if (raw instanceof DependencyUnavailableError) return raw;
  // Not `instanceof Error`: errors made by native addons (sqlite3) may come from another realm.
  if (typeof raw !== 'object' || raw === null || typeof (raw as Error).message !== 'string') return undefined;
  const err = raw as Error & { code?: unknown };
  const code = typeof err.code === 'string' ? err.code : '';
  if (err.name === 'MaxRetriesPerRequestError' || REDIS_MESSAGES.test(err.message))
    return new DependencyUnavailableError('redis', err.message);
  if (
    ARCHIVE_CODES.has(code) ||
    err.name === 'KnexTimeoutError' ||
    PG_MESSAGES.test(err.message) ||
    /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR)/.test(err.message)
  )
    return new DependencyUnavailableError('archive', err.message);
  // @temporalio/client: ServiceError wraps a gRPC UNAVAILABLE/DEADLINE_EXCEEDED; ConnectionError when it cannot dial.
  if (['ServiceError', 'ConnectionError', 'TransportError'].includes(err.name))
    return new DependencyUnavailableError('temporal', err.message);
  // A bare socket error reaching a request comes from ioredis (the only client without its own wrapper).
  if (NETWORK_CODES.has(code)) return new DependencyUnavailableError('redis', err.message);
  return undefined;
}

export class IdempotencyKeyReusedError extends ApiError {
  override name = 'IdempotencyKeyReusedError';
  constructor() {
    super(
      422,
      'idempotency_key_reused',
      'This Idempotency-Key was already used with a different request; use a new key for a new request.',
    );
  }
}

export class TurnTimeoutError extends ApiError {
  override name = 'TurnTimeoutError';
  constructor(sessionId: string, turnId: string) {
    super(504, 'turn_timeout', 'The turn is still running; read the session history later.', {
      session_id: sessionId,
      turn_id: turnId,
    });
  }
}

export class TurnFailedError extends ApiError {
  override name = 'TurnFailedError';
  constructor(message: string, details?: unknown) {
    super(502, 'turn_failed', message, details);
  }
}

export class UnauthorizedError extends ApiError {
  override name = 'UnauthorizedError';
  constructor(message: string) {
    super(401, 'unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer realm="api"' });
  }
}

export class RateLimitedError extends ApiError {
  override name = 'RateLimitedError';
  constructor(limit: string, retryAfterSeconds: number) {
    super(
      429,
      'rate_limited',
      `Too many requests (${limit} limit); retry after ${retryAfterSeconds} s.`,
      { limit, retry_after_seconds: retryAfterSeconds },
      {
        'Retry-After': String(retryAfterSeconds),
      },
    );
  }
}

export class TooManyStreamsError extends ApiError {
  override name = 'TooManyStreamsError';
  constructor(limit: number) {
    super(
      429,
      'too_many_streams',
      `Too many open event streams (at most ${limit} per caller, SSE_MAX_STREAMS_PER_PRINCIPAL); close one or retry later.`,
      { limit },
      { 'Retry-After': '5' },
    );
  }
}

/** A Last-Event-ID that is not a stream id, or names an event the stream has not reached. */
export class InvalidLastEventIdError extends ApiError {
  override name = 'InvalidLastEventIdError';
  constructor(message: string) {
    super(400, 'invalid_last_event_id', message);
  }
}

export class SessionBusyError extends ApiError {
  override name = 'SessionBusyError';
  constructor(sessionId: string) {
    super(409, 'session_busy', `Session ${sessionId} is running a turn and this message asked double_texting=reject.`);
  }
}

export class SessionQueueFullError extends ApiError {
  override name = 'SessionQueueFullError';
  constructor(sessionId: string, message: string) {
    super(429, 'session_queue_full', `Session ${sessionId}: ${message}`, undefined, { 'Retry-After': '1' });
  }
}

export class BudgetExceededError extends ApiError {
  override name = 'BudgetExceededError';
  constructor(message: string, details?: unknown) {
    super(402, 'budget_exceeded', message, details);
  }
}

export class ServerShuttingDownError extends ApiError {
  override name = 'ServerShuttingDownError';
  constructor(sessionId: string, turnId: string) {
    super(
      503,
      'server_shutting_down',
      'This API process is shutting down; the turn goes on. Follow it on another instance with GET /api/chat/session/{session_id}/events?until=done, or read the history.',
      { session_id: sessionId, turn_id: turnId, events: `/api/chat/session/${sessionId}/events?until=done` },
      { 'Retry-After': '1' },
    );
  }
}
