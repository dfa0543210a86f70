import type { FakeReply, RecordedRequest } from './fake-openai-server';
import { requestJson, type JsonResponse } from './http';
import { readSse, type SseResponse } from './sse-client';
import type { TestStack } from './test-stack';

/** Two principals (API_KEYS=`${ALICE}:alice,${BOB}:bob`). */
export const ALICE = 'sk-alice-0123456789abcdef0123';
export const BOB = 'sk-bob-0123456789abcdef012345';
export const API_KEYS = `${ALICE}:alice,${BOB}:bob`;
export const SLOW = 'a b c d e f g h i j k l m n o p q r s t u v w x y z';

/** `slow …` streams SLOW slowly; anything else is echoed at once. */
export function slowOrEchoScript(request: RecordedRequest): FakeReply {
  const last = [...request.body.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  return last.startsWith('slow') ? { content: SLOW, chunkDelayMs: 150 } : { content: `Echo: ${last}` };
}

export type Caller = <T>(method: string, path: string, body?: unknown) => Promise<JsonResponse<T>>;

/** JSON requests to the stack as `key`'s principal (none: no Authorization header). */
export function caller(stack: TestStack, key?: string): Caller {
  return <T>(method: string, path: string, body?: unknown) =>
    requestJson<T>(method, stack.url(path), body, key ? { authorization: `Bearer ${key}` } : {});
}

/** Starts a slow streamed turn and resolves when its first chunk arrived. */
export async function startSlowTurn(
  stack: TestStack,
  key: string | undefined,
  sessionId: string,
): Promise<{ stream: Promise<SseResponse> }> {
  let running: () => void = () => undefined;
  const started = new Promise<void>((r) => (running = r));
  const stream = readSse(
    stack.url('/api/chat/message/stream'),
    { body: { session_id: sessionId, message: 'slow turn' }, headers: key ? { authorization: `Bearer ${key}` } : {} },
    { onEvent: (e) => (e.event === 'message' ? running() : undefined) },
  );
  await started;
  // Wrapped: an async function returning the promise itself would wait for the whole stream.
  return { stream };
}
