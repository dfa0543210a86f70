import { sentenceFor } from './problem-sentence';

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
