/** Same-origin calls to the API, with the API key (when one was given) as a Bearer header, never in a URL. */
const KEY_STORAGE = 'chat.apiKey';

export function apiKey(): string | undefined {
  return sessionStorage.getItem(KEY_STORAGE) ?? undefined;
}

export function rememberApiKey(key: string): void {
  sessionStorage.setItem(KEY_STORAGE, key);
}

export function forgetApiKey(): void {
  sessionStorage.removeItem(KEY_STORAGE);
}

/** An answer the API refused, with the sentence the page shows for it. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export function headers(extra: Record<string, string> = {}): Record<string, string> {
  const key = apiKey();
  return { ...(key ? { Authorization: `Bearer ${key}` } : {}), ...extra };
}

/** What the API's JSON error says, turned into what a person should read and do. */
export function sentenceFor(status: number, code: string, message: string, retryAfter?: number): string {
  const wait = retryAfter ? ` Try again in ${retryAfter} second${retryAfter === 1 ? '' : 's'}.` : ' Try again shortly.';
  if (status === 401) return 'This server needs an API key. Enter yours to continue.';
  if (status === 402 || code === 'budget_exceeded')
    return 'This chat has used up its budget, so no model was called. Start a new chat to continue.';
  if (status === 429 && code === 'session_queue_full') return `Too many messages are waiting in this chat.${wait}`;
  if (status === 429) return `You are sending messages too fast.${wait}`;
  if (status === 502) return 'The model failed to answer. Send your message again, or pick another model.';
  if (status === 503) return `A service the chat needs is unavailable right now.${wait}`;
  if (status === 404) return 'This chat does not exist (or is not yours). Start a new chat.';
  if (status === 410 || code === 'session_ended') return 'This chat has ended. Start a new chat to continue.';
  if (status === 422) return `The request was not accepted: ${message}`;
  return message || `The server answered ${status}.`;
}

export async function problemOf(response: Response): Promise<ApiProblem> {
  const retryAfter = Number(response.headers.get('retry-after')) || undefined;
  let code = 'http_error';
  let message = '';
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? '';
  } catch {
    // not JSON: the status alone says enough
  }
  return new ApiProblem(response.status, code, sentenceFor(response.status, code, message, retryAfter), retryAfter);
}

export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: headers() });
  if (!response.ok) throw await problemOf(response);
  return (await response.json()) as T;
}

export async function sendJson<T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw await problemOf(response);
  return (await response.json()) as T;
}
