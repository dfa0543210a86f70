import type { SessionSnapshot } from '../../src/contract/session';
import {
  calculatorScript,
  startFakeOpenAiServer,
  type FakeOpenAiServer,
  type RecordedRequest,
} from '../helpers/fake-openai-server';
import type { CancelResult, ErrorBody, SessionCreated, SessionList } from '../helpers/http';
import { conformanceClient, type ConformanceClient, type StatusAndBody } from '../helpers/openapi-conformance-client';
import { dataOf } from '../helpers/sse-client';
import { startTestStack, type TestStack } from '../helpers/test-stack';

const MODELS = JSON.stringify([{ model: 'doc-model-a' }, { model: 'doc-model-b' }]);

/**
 * What the running API answers matches its OpenAPI document: for each call, the status is
 * documented for that operation, and the body (each SSE frame, for streams) fits the
 * documented schema exactly, with no undocumented field. Real stack; only the model is scripted.
 */
describe('API answers match the OpenAPI document (real Temporal, Redis, SQLite; scripted models)', () => {
  let model: FakeOpenAiServer;
  let stack: TestStack;
  let call: ConformanceClient['call'];
  let stream: ConformanceClient['stream'];

  beforeAll(async () => {
    model = await startFakeOpenAiServer(calculatorScript);
    stack = await startTestStack({
      llmBaseUrl: model.baseUrl,
      env: { LLM_MODELS: MODELS, LLM_MAX_ATTEMPTS: '2', LLM_RETRY_INITIAL_MS: '50' },
    });
    ({ call, stream } = await conformanceClient(stack));
  });
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
  });

  it('when sessions are created, messaged, read and cancelled then every JSON answer is documented and fits its schema', async () => {
    model.setScript(calculatorScript);
    const created = await call<SessionCreated>('POST', '/api/chat/session', '/api/chat/session');
    expect(created.status).toBe(201);
    const sessionId = created.body.session_id;

    const turn = await call('POST', '/api/chat/message', '/api/chat/message', {
      session_id: sessionId,
      message: 'Calculate 3 * 4',
    });
    expect(turn.status).toBe(200);
    expect(turn.body).toMatchObject({ status: 'completed', tools_used: ['calculator'] });

    expect((await call('GET', `/api/chat/history/${sessionId}`, '/api/chat/history/{session_id}')).status).toBe(200);
    const snapshot = await call<SessionSnapshot>(
      'GET',
      `/api/chat/session/${sessionId}`,
      '/api/chat/session/{session_id}',
    );
    expect(snapshot.status).toBe(200);
    expect(snapshot.body.turns).toBe(1);

    const idle = await call<CancelResult>(
      'POST',
      `/api/chat/session/${sessionId}/cancel`,
      '/api/chat/session/{session_id}/cancel',
    );
    expect(idle).toEqual({ status: 202, body: { session_id: sessionId, turn_id: null, cancelled: false } });

    const list = await call<SessionList>('GET', '/api/chat/sessions?limit=5', '/api/chat/sessions');
    expect(list.body.sessions.map((s) => s.session_id)).toContain(sessionId);
    const ended = await call('DELETE', `/api/chat/session/${sessionId}`, '/api/chat/session/{session_id}');
    expect(ended.body).toMatchObject({ status: 'ended', turns: 1 });
    const late = await call('POST', '/api/chat/message', '/api/chat/message', {
      session_id: sessionId,
      message: 'too late',
    });
    expect(late.status).toBe(410);
    expect((await call('GET', '/api/chat/sessions?limit=1000', '/api/chat/sessions')).status).toBe(422);

    const unknown = await call(
      'GET',
      '/api/chat/history/00000000-0000-4000-8000-000000000000',
      '/api/chat/history/{session_id}',
    );
    expect(unknown.status).toBe(404);
    expect((await call('POST', '/api/chat/message', '/api/chat/message', { message: '' })).status).toBe(422);
    const health = await call('GET', '/health', '/health');
    expect([200, 503]).toContain(health.status);
  });

  it('when every model fails then the 502 answer is documented', async () => {
    model.setScript(() => ({ status: 500, error: 'down' }));
    const failed = await call<ErrorBody>('POST', '/api/chat/message', '/api/chat/message', {
      message: 'hello',
      use_tools: false,
    });
    expect(failed.status).toBe(502);
    expect(failed.body.error.code).toBe('turn_failed');
  });

  it('when a tool turn streams through a model fallback then every event is documented for the route and fits StreamEvent', async () => {
    model.setScript((request: RecordedRequest) =>
      request.body.model === 'doc-model-a' ? { status: 500, error: 'A is down' } : calculatorScript(request),
    );
    const frames = await stream('POST', '/api/chat/message/stream', '/api/chat/message/stream', {
      message: 'Calculate 5 + 5',
    });
    const names = frames.map((f) => f.event);
    expect(names[0]).toBe('metadata');
    // Attempt 2 of model A emits reset; the chain then switches to B, which calls the tool and answers.
    expect(names).toEqual(expect.arrayContaining(['reset', 'model_switched', 'tool_call', 'tool_result', 'message']));
    expect(names[names.length - 1]).toBe('done');
    expect(frames.filter((f) => f.event !== 'metadata').every((f) => /^\d+-\d+$/.test(f.id ?? ''))).toBe(true);

    // The same session's stream, replayed from the start, ends at that turn's done with until=done.
    const sessionId = dataOf(frames[0], 'metadata').session_id;
    const replay = await stream(
      'GET',
      `/api/chat/session/${sessionId}/events?until=done&last_event_id=0-0`,
      '/api/chat/session/{session_id}/events',
    );
    expect(replay.map((f) => f.event)).toEqual(names.slice(1));
  });

  it('when a streamed turn is cancelled then the cancel answer and the cancelled event fit their schemas', async () => {
    // Long enough (about 20 s) that the cancel lands mid-stream even on a busy machine; a cancelled turn ends early.
    model.setScript(() => ({ content: 'word '.repeat(200), chunkDelayMs: 100 }));
    let sessionId = '';
    let cancel: StatusAndBody<CancelResult> | undefined;
    const frames = await stream(
      'POST',
      '/api/chat/message/stream',
      '/api/chat/message/stream',
      { message: 'tell me a story', use_tools: false },
      async (frame) => {
        if (frame.event === 'metadata') sessionId = dataOf(frame, 'metadata').session_id;
        if (frame.event === 'message' && !cancel)
          cancel = await call<CancelResult>(
            'POST',
            `/api/chat/session/${sessionId}/cancel`,
            '/api/chat/session/{session_id}/cancel',
          );
      },
    );
    expect(frames[frames.length - 1].event).toBe('cancelled');
    expect(dataOf(frames[frames.length - 1], 'cancelled').status).toBe('cancelled');
    expect(cancel).toMatchObject({ status: 202, body: { cancelled: true } });
  });

  it('when Last-Event-ID names a stream that no longer exists then the one stream_expired event fits StreamEvent', async () => {
    const created = await call<SessionCreated>('POST', '/api/chat/session', '/api/chat/session');
    const frames = await stream(
      'GET',
      `/api/chat/session/${created.body.session_id}/events?last_event_id=1-0`,
      '/api/chat/session/{session_id}/events',
    );
    expect(frames.map((f) => f.event)).toEqual(['stream_expired']);
  });
});
