import type { z } from 'zod';
import { buildOpenApiDocument, type OpenApiDocument } from '../../src/api/openapi/openapi-document';
import { componentSchemas, type SchemaName } from '../../src/api/openapi/operations';
import {
  calculatorScript,
  startFakeOpenAiServer,
  type FakeOpenAiServer,
  type RecordedRequest,
} from '../helpers/fake-openai-server';
import { readSse, type SseFrame } from '../helpers/sse-reader';
import { conformanceProblems } from '../helpers/strict-conformance';
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
  let document: OpenApiDocument;
  let schemas: Record<SchemaName, z.ZodType>;

  beforeAll(async () => {
    model = await startFakeOpenAiServer(calculatorScript);
    stack = await startTestStack({
      llmBaseUrl: model.baseUrl,
      env: { LLM_MODELS: MODELS, LLM_MAX_ATTEMPTS: '2', LLM_RETRY_INITIAL_MS: '50' },
    });
    document = (await (await fetch(stack.url('/openapi.json'))).json()) as OpenApiDocument;
    schemas = componentSchemas(stack.config.MESSAGE_MAX_CHARS);
  });
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
  });

  /** The documented response of `METHOD path` for `status`: its content type, schema name and SSE event names. */
  function documented(method: string, path: string, status: number) {
    const op = document.paths[path]?.[method.toLowerCase()] as { responses: Record<string, any> } | undefined;
    expect([method, path, op === undefined ? 'undocumented operation' : 'ok']).toEqual([method, path, 'ok']);
    const response = op?.responses[String(status)];
    expect([method, path, status, response === undefined ? 'undocumented status' : 'ok']).toEqual([
      method,
      path,
      status,
      'ok',
    ]);
    const [contentType, media] =
      Object.entries(
        (response?.content ?? {}) as Record<string, { schema?: { $ref: string }; 'x-sse-events'?: string[] }>,
      )[0] ?? [];
    const schemaName = media?.schema?.$ref.split('/').pop() as SchemaName | undefined;
    return { contentType, schemaName, events: media?.['x-sse-events'] };
  }

  function expectConforms(schemaName: SchemaName | undefined, body: unknown, what: string) {
    expect([what, schemaName ?? 'no schema documented']).toEqual([what, expect.any(String)]);
    expect([what, conformanceProblems(schemas[schemaName as SchemaName], body)]).toEqual([what, []]);
  }

  async function call(method: string, url: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(stack.url(url), {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const spec = documented(method, path, response.status);
    const text = await response.text();
    if (spec.schemaName)
      expectConforms(spec.schemaName, text ? JSON.parse(text) : undefined, `${method} ${url} → ${response.status}`);
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async function stream(
    method: string,
    url: string,
    path: string,
    body?: unknown,
    onFrame?: (frame: SseFrame) => Promise<void> | void,
  ): Promise<SseFrame[]> {
    const response = await fetch(stack.url(url), {
      method,
      headers: body !== undefined ? { 'content-type': 'application/json' } : {},
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    expect(response.status).toBe(200);
    const spec = documented(method, path, 200);
    expect(spec.contentType).toBe('text/event-stream');
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const frames = await readSse(response, onFrame);
    for (const frame of frames) {
      expect([frame.event, spec.events?.includes(frame.event)]).toEqual([frame.event, true]);
      expectConforms(spec.schemaName, frame, `${method} ${url} event ${frame.event}`);
    }
    return frames;
  }

  it('when sessions are created, messaged, read and cancelled then every JSON answer is documented and fits its schema', async () => {
    model.setScript(calculatorScript);
    const created = await call('POST', '/api/chat/session', '/api/chat/session');
    expect(created.status).toBe(201);
    const sessionId = created.body.session_id as string;

    const turn = await call('POST', '/api/chat/message', '/api/chat/message', {
      session_id: sessionId,
      message: 'Calculate 3 * 4',
    });
    expect(turn.status).toBe(200);
    expect(turn.body).toMatchObject({ status: 'completed', tools_used: ['calculator'] });

    expect((await call('GET', `/api/chat/history/${sessionId}`, '/api/chat/history/{session_id}')).status).toBe(200);
    const snapshot = await call('GET', `/api/chat/session/${sessionId}`, '/api/chat/session/{session_id}');
    expect(snapshot.status).toBe(200);
    expect(snapshot.body.turns).toBe(1);

    const idle = await call('POST', `/api/chat/session/${sessionId}/cancel`, '/api/chat/session/{session_id}/cancel');
    expect(idle).toEqual({ status: 202, body: { session_id: sessionId, turn_id: null, cancelled: false } });

    const list = await call('GET', '/api/chat/sessions?limit=5', '/api/chat/sessions');
    expect(list.body.sessions.map((s: { session_id: string }) => s.session_id)).toContain(sessionId);
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
    const failed = await call('POST', '/api/chat/message', '/api/chat/message', { message: 'hello', use_tools: false });
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
    const sessionId = frames[0].data.session_id as string;
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
    let cancel: { status: number; body: any } | undefined;
    const frames = await stream(
      'POST',
      '/api/chat/message/stream',
      '/api/chat/message/stream',
      { message: 'tell me a story', use_tools: false },
      async (frame) => {
        if (frame.event === 'metadata') sessionId = frame.data.session_id;
        if (frame.event === 'message' && !cancel)
          cancel = await call('POST', `/api/chat/session/${sessionId}/cancel`, '/api/chat/session/{session_id}/cancel');
      },
    );
    expect(frames[frames.length - 1].event).toBe('cancelled');
    expect(frames[frames.length - 1].data.status).toBe('cancelled');
    expect(cancel).toMatchObject({ status: 202, body: { cancelled: true } });
  });

  it('when Last-Event-ID names a stream that no longer exists then the one stream_expired event fits StreamEvent', async () => {
    const created = await call('POST', '/api/chat/session', '/api/chat/session');
    const frames = await stream(
      'GET',
      `/api/chat/session/${created.body.session_id}/events?last_event_id=1-0`,
      '/api/chat/session/{session_id}/events',
    );
    expect(frames.map((f) => f.event)).toEqual(['stream_expired']);
  });
});
