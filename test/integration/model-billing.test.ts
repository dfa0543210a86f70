import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server';
import { postJson, type ErrorBody, type SessionCreated } from '../helpers/http';
import { byType, dataOf, readSse, visibleText } from '../helpers/sse-client';
import { LONG_ANSWER, slowOrEcho } from '../helpers/slow-or-echo-script';
import { startTestStack, type TestStack } from '../helpers/test-stack';

/**
 * Every model attempt the provider answered is billed, answered or not: a stream reset mid-way and
 * retried, a stream cancelled by an interrupting message. The turn's totals and the session's
 * budget count them all.
 */
jest.setTimeout(120_000);

describe('billing every model attempt (real Temporal, Redis, SQLite; scripted model)', () => {
  let model: FakeOpenAiServer;
  let stack: TestStack;

  beforeAll(async () => {
    model = await startFakeOpenAiServer(slowOrEcho);
    stack = await startTestStack({
      llmBaseUrl: model.baseUrl,
      env: { LLM_RETRY_INITIAL_MS: '50', SESSION_MAX_TOKENS: '150' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
  });

  it('when the model connection resets mid-stream then the retry emits reset, the text has no duplicated prefix and the reset attempt is billed too', async () => {
    model.setScript([{ content: LONG_ANSWER, dropAfterChunks: 5, chunkDelayMs: 20 }, { content: LONG_ANSWER }]);
    const { events } = await readSse(stack.url('/api/chat/message/stream'), { body: { message: 'tell me' } });
    expect(byType(events, 'reset')).toHaveLength(1);
    expect(visibleText(events)).toBe(LONG_ANSWER);
    const done = dataOf(events[events.length - 1], 'done');
    expect(done.response).toBe(LONG_ANSWER);
    expect(model.requests).toHaveLength(2);

    // One entry per attempt: the reset one (estimated, its partial text) and the answer.
    expect(done.model_calls.map((c) => c.outcome ?? 'answered')).toEqual(['failed', 'answered']);
    const [reset, answered] = done.model_calls;
    expect(reset.prompt_tokens).toBeGreaterThan(0);
    expect(reset.completion_tokens).toBeGreaterThan(0);
    expect(reset.completion_tokens).toBeLessThan(answered.completion_tokens);
    expect(done.prompt_tokens).toBe(reset.prompt_tokens + answered.prompt_tokens);
    expect(done.completion_tokens).toBe(reset.completion_tokens + answered.completion_tokens);
    expect(done.tokens_used).toBe(done.prompt_tokens + done.completion_tokens);
  });

  it('when every turn is interrupted by the next message then the cancelled streams count toward the budget and the session is refused with 402', async () => {
    model.setScript(slowOrEcho);
    const session = await postJson<SessionCreated>(stack.url('/api/chat/session'), {});
    const sessionId = session.body.session_id;
    const outcomes: string[] = [];
    // Each message interrupts the one before it, once the model streams: without billing the
    // cancelled streams, this loop would never end.
    for (let i = 0; i < 8 && !outcomes.includes('refused'); i++) {
      outcomes.push(
        await new Promise<string>((resolve) => {
          void readSse(
            stack.url('/api/chat/message/stream'),
            { body: { session_id: sessionId, message: `slow ${i}`, double_texting: 'interrupt' } },
            {
              onEvent: (e) => {
                if (e.event === 'message') resolve('streaming');
                if (e.event === 'error' && dataOf(e, 'error').code === 'budget_exceeded') resolve('refused');
              },
            },
          ).then(() => resolve('ended'));
        }),
      );
    }
    expect(outcomes).toContain('refused');
    expect(outcomes.filter((o) => o === 'streaming').length).toBeGreaterThanOrEqual(2);

    const after = await postJson<ErrorBody>(stack.url('/api/chat/message'), { session_id: sessionId, message: 'hi' });
    expect(after.status).toBe(402);
    expect(after.body.error.code).toBe('budget_exceeded');
  });
});
