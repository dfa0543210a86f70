import type { FakeReply, RecordedRequest } from './fake-openai-server';

/** Long and slow enough (24 chunks, 150 ms apart) that a cancel or a second message lands while it streams. */
export const LONG_ANSWER =
  'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three twenty-four';

/** Replies by the last user message: `slow …` streams LONG_ANSWER slowly, anything else is echoed at once. */
export function slowOrEcho(request: RecordedRequest): FakeReply {
  const last = [...request.body.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  if (last.startsWith('slow')) return { content: LONG_ANSWER, chunkDelayMs: 150 };
  return { content: `Echo: ${last}` };
}
