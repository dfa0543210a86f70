import type { z } from 'zod';
import type {
  cancelResultSchema,
  healthSchema,
  historySchema,
  sessionCreatedSchema,
  sessionListSchema,
} from '../../src/api/openapi/response-schemas';

/**
 * The tests' JSON calls to the API, typed by the shape the test expects: `T` is the body the
 * endpoint documents for the status the test asserts (a contract type such as TurnResult,
 * SessionSnapshot or SessionRecord, one of the bodies below, or ErrorBody). Unchecked on
 * purpose: the assertions are the checks, and the OpenAPI conformance test checks the shapes.
 */
export interface JsonResponse<T> {
  status: number;
  headers: Headers;
  /** The parsed JSON body; undefined when the response had none. */
  body: T;
}

/** Every error answer: `{ error: { status, code, message, details? } }`; `D` is what `details` holds. */
export interface ErrorBody<D = unknown> {
  error: { status: number; code: string; message: string; details?: D };
}

/** `details` of a 422 validation_failed answer: one entry per bad field. */
export type ValidationDetails = Array<{ field: string; message: string }>;

/** `details` of an answer about a turn the API no longer waits for (turn_failed, server_shutting_down, turn_timeout). */
export interface TurnDetails {
  session_id: string;
  turn_id: string;
  error?: string;
}

/** `POST /api/chat/session` (201). */
export type SessionCreated = z.infer<typeof sessionCreatedSchema>;
/** `GET /api/chat/history/{session_id}` (200). */
export type History = z.infer<typeof historySchema>;
/** `GET /api/chat/sessions` (200). */
export type SessionList = z.infer<typeof sessionListSchema>;
/** `POST /api/chat/session/{session_id}/cancel` (202). */
export type CancelResult = z.infer<typeof cancelResultSchema>;
/** `GET /health` (200 or 503). */
export type Health = z.infer<typeof healthSchema>;

/** A JSON text as `T` (unchecked, like the bodies above). */
export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/**
 * Sends `method url` with `body` as JSON (a string is sent as it is, e.g. malformed JSON) and
 * returns the status, the headers and the parsed body.
 */
export async function requestJson<T>(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  const response = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? parseJson<T>(text) : (undefined as T) };
}

/** POSTs JSON (or a raw string body) and returns status, headers and parsed body. */
export function postJson<T>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  return requestJson<T>('POST', url, body, headers);
}

export function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
  return requestJson<T>('GET', url, undefined, headers);
}
