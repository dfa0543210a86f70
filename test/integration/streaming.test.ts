import {
  gate,
  startFakeOpenAiServer,
  type FakeOpenAiServer,
  type FakeReply,
  type RecordedRequest,
} from '../helpers/fake-openai-server';
import { readSse, visibleText, type ReceivedEvent } from '../helpers/sse-client';
import { getJson, postJson, startTestStack, type TestStack } from '../helpers/test-stack';
import { processStackEnv, startApiProcess, type RoleProcess } from '../helpers/process-stack';
import { waitUntil } from '../helpers/wait-for';

// Long and slow enough (24 chunks, 150 ms apart) that a cancel lands while it streams.
const LONG_ANSWER =
  'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three twenty-four';

/** Replies by the last user message: `slow …` streams slowly, anything else answers at once. */
function scriptedByMessage(request: RecordedRequest): FakeReply {
  const last = [...request.body.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  if (last.startsWith('slow')) return { content: LONG_ANSWER, chunkDelayMs: 150 };
  return { content: `Echo: ${last}` };
}

const byType = (events: ReceivedEvent[], type: string) => events.filter((e) => e.event === type);

describe('streaming turns over Redis Streams (real Temporal, Redis, SQLite)', () => {
  let model: FakeOpenAiServer;
  let stack: TestStack;

  beforeAll(async () => {
    model = await startFakeOpenAiServer(scriptedByMessage);
    stack = await startTestStack({ llmBaseUrl: model.baseUrl });
  });
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
  });
  beforeEach(() => model.setScript(scriptedByMessage));

  it('when the model holds its stream open after the first chunk then the client already has that chunk, and metadata, the rest and done follow', async () => {
    const held = gate();
    model.setScript(() => ({ content: LONG_ANSWER, hold: { afterChunks: 1, until: held.until } }));
    // A deadline, not a measurement: a stack that buffered chunks would otherwise wait forever.
    const deadline = setTimeout(() => held.release(), 30_000);
    let firstChunk: { whileHeld: boolean; modelChunksSent: number; modelFinished: boolean } | undefined;
    const { status, contentType, events } = await readSse(
      stack.url('/api/chat/message/stream'),
      { body: { message: 'held please' } },
      {
        onEvent: (e) => {
          if (e.event !== 'message' || firstChunk) return;
          firstChunk = {
            whileHeld: !held.released(),
            modelChunksSent: model.requests[0].chunksSent,
            modelFinished: model.requests[0].finished,
          };
          held.release();
        },
      },
    ).finally(() => clearTimeout(deadline));
    // The first chunk reached the client while the model was still held open after one chunk.
    expect(firstChunk).toEqual({ whileHeld: true, modelChunksSent: 1, modelFinished: false });
    expect(model.requests[0].finished).toBe(true);

    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/event-stream/);
    expect(events[0].event).toBe('metadata');
    expect(events[0].data).toEqual(
      expect.objectContaining({ session_id: expect.any(String), turn_id: expect.any(String), model: 'fake-model' }),
    );
    const done = events[events.length - 1];
    expect(done.event).toBe('done');
    expect(done.data).toEqual(
      expect.objectContaining({
        response: LONG_ANSWER,
        tools_used: [],
        tokens_used: expect.any(Number),
        cost: expect.any(Number),
      }),
    );

    const messages = byType(events, 'message');
    expect(messages.length).toBe(LONG_ANSWER.split(' ').length);
    expect(messages.map((e) => e.data.content).join('')).toBe(LONG_ANSWER);

    // Every stream event carries its Redis entry id and where in the turn it belongs.
    const turnId = events[0].data.turn_id;
    for (const e of events.slice(1)) {
      expect(e.id).toMatch(/^\d+-\d+$/);
      expect(e.data).toEqual(expect.objectContaining({ turn_id: turnId }));
    }
    for (const e of messages)
      expect(e.data).toEqual(expect.objectContaining({ step: 1, attempt: 1, model: 'fake-model' }));
    const ids = events.slice(1).map((e) => e.id as string);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('when a client drops mid-turn and reconnects with Last-Event-ID then it gets exactly the rest of the turn', async () => {
    const first = await readSse(
      stack.url('/api/chat/message/stream'),
      { body: { message: 'slow and resumable' } },
      {
        stopWhen: (_e, all) => byType(all, 'message').length === 3,
      },
    );
    const sessionId = first.events[0].data.session_id;
    const lastSeen = first.events[first.events.length - 1];
    expect(lastSeen.event).toBe('message');

    const rest = await readSse(stack.url(`/api/chat/session/${sessionId}/events?until=done`), {
      headers: { 'Last-Event-ID': lastSeen.id as string },
    });
    expect(rest.status).toBe(200);
    expect(rest.events[rest.events.length - 1].event).toBe('done');

    // The whole stream, read from its start after the turn, is exactly what the two reads saw.
    const everything = await readSse(stack.url(`/api/chat/session/${sessionId}/events?until=done&last_event_id=0-0`));
    const seenIds = [...first.events.slice(1), ...rest.events].map((e) => e.id);
    expect(seenIds).toEqual(everything.events.map((e) => e.id));
    expect(visibleText([...first.events, ...rest.events])).toBe(LONG_ANSWER);
  });

  it('when the events after Last-Event-ID are gone then the stream says it expired instead of hanging', async () => {
    const turn = await postJson(stack.url('/api/chat/message'), { message: 'short one' });
    expect(turn.status).toBe(200);
    const sessionId = turn.body.session_id;
    const key = stack.infra.keys.events(sessionId);
    expect(await stack.infra.redis.exists(key)).toBe(1);
    const entries = (await stack.infra.redis.xrange(key, '-', '+')) as Array<[string, string[]]>;
    await stack.infra.redis.xtrim(key, 'MAXLEN', 0);
    const trimmed = await readSse(stack.url(`/api/chat/session/${sessionId}/events`), {
      headers: { 'Last-Event-ID': entries[0][0] },
    });
    expect(trimmed.events.map((e) => e.event)).toEqual(['stream_expired']);

    await stack.infra.redis.del(key);
    const expired = await readSse(stack.url(`/api/chat/session/${sessionId}/events`), {
      headers: { 'Last-Event-ID': entries[0][0] },
    });
    expect(expired.events.map((e) => e.event)).toEqual(['stream_expired']);
    expect(expired.events[0].data.message).toMatch(/history/);
  });

  it('when a model attempt breaks off and is retried then the stream sends reset and no duplicated prefix', async () => {
    model.setScript((_req, index) =>
      index === 0 ? { content: LONG_ANSWER, dropAfterChunks: 4, chunkDelayMs: 20 } : { content: LONG_ANSWER },
    );
    const { events } = await readSse(stack.url('/api/chat/message/stream'), { body: { message: 'flaky model' } });
    const types = events.map((e) => e.event);
    expect(types).toContain('reset');
    const reset = events[types.indexOf('reset')];
    expect(reset.data).toEqual(expect.objectContaining({ attempt: 2, step: 1 }));
    const before = events.slice(0, types.indexOf('reset'));
    const discarded = byType(before, 'message')
      .map((e) => e.data.content)
      .join('');
    expect(discarded.length).toBeGreaterThan(0);
    expect(LONG_ANSWER.startsWith(discarded)).toBe(true);
    for (const e of byType(events.slice(types.indexOf('reset')), 'message')) expect(e.data.attempt).toBe(2);
    expect(visibleText(events)).toBe(LONG_ANSWER);
    expect(events[events.length - 1].data.response).toBe(LONG_ANSWER);
  });

  it('when a running turn is cancelled then the stream ends with cancelled, the partial answer is kept and the session goes on', async () => {
    let sessionId = '';
    const { events } = await readSse(
      stack.url('/api/chat/message/stream'),
      { body: { message: 'slow, then cancelled' } },
      {
        onEvent: async (e) => {
          if (e.event === 'metadata') sessionId = e.data.session_id;
          if (e.event === 'message' && e.data.content.startsWith('three')) {
            const cancel = await postJson(stack.url(`/api/chat/session/${sessionId}/cancel`), {});
            expect(cancel.status).toBe(202);
            expect(cancel.body).toEqual(expect.objectContaining({ session_id: sessionId, cancelled: true }));
          }
        },
      },
    );
    const last = events[events.length - 1];
    expect(last.event).toBe('cancelled');
    expect(last.data.status).toBe('cancelled');
    const partial = last.data.response as string;
    expect(partial.startsWith('one two three')).toBe(true);
    expect(partial.length).toBeLessThan(LONG_ANSWER.length);

    const next = await postJson(stack.url('/api/chat/message'), { session_id: sessionId, message: 'still there?' });
    expect(next.status).toBe(200);
    expect(next.body.response).toBe('Echo: still there?');
    const history = await getJson(stack.url(`/api/chat/history/${sessionId}`));
    const assistant = history.body.messages.filter((m: { role: string }) => m.role === 'assistant');
    expect(assistant.map((m: { status: string }) => m.status)).toEqual(['cancelled', 'completed']);
    expect(assistant[0].content).toBe(partial);
  });

  describe('double texting', () => {
    /** Starts a slow streamed turn and resolves once its first chunk arrived (the turn is running). */
    async function startSlowTurn(): Promise<{ sessionId: string; stream: Promise<ReceivedEvent[]> }> {
      let sessionId = '';
      let running: () => void = () => undefined;
      const started = new Promise<void>((r) => (running = r));
      const stream = readSse(
        stack.url('/api/chat/message/stream'),
        { body: { message: 'slow first' } },
        {
          onEvent: (e) => {
            if (e.event === 'metadata') sessionId = e.data.session_id;
            if (e.event === 'message') running();
          },
        },
      ).then((r) => r.events);
      await started;
      return { sessionId, stream };
    }

    it('when a second message arrives with enqueue (default) then it waits and gets its own turn, in order', async () => {
      const { sessionId, stream } = await startSlowTurn();
      const second = await postJson(stack.url('/api/chat/message'), { session_id: sessionId, message: 'second' });
      expect(second.status).toBe(200);
      expect(second.body.response).toBe('Echo: second');
      const first = await stream;
      expect(first[first.length - 1].data.response).toBe(LONG_ANSWER);
      const history = await getJson(stack.url(`/api/chat/history/${sessionId}`));
      expect(history.body.messages.map((m: { content: string }) => m.content)).toEqual([
        'slow first',
        LONG_ANSWER,
        'second',
        'Echo: second',
      ]);
    });

    it('when a second message arrives with reject then it gets 409 session_busy and the running turn is untouched', async () => {
      const { sessionId, stream } = await startSlowTurn();
      const second = await postJson(stack.url('/api/chat/message'), {
        session_id: sessionId,
        message: 'too soon',
        double_texting: 'reject',
      });
      expect(second.status).toBe(409);
      expect(second.body.error).toEqual(expect.objectContaining({ code: 'session_busy' }));
      const first = await stream;
      expect(first[first.length - 1].event).toBe('done');
      expect(first[first.length - 1].data.response).toBe(LONG_ANSWER);
      const history = await getJson(stack.url(`/api/chat/history/${sessionId}`));
      expect(history.body.messages.map((m: { content: string }) => m.content)).toEqual(['slow first', LONG_ANSWER]);
    });

    it('when a second message arrives with interrupt then the running turn is cancelled (partial kept) and the new message runs next', async () => {
      const { sessionId, stream } = await startSlowTurn();
      const second = await postJson(stack.url('/api/chat/message'), {
        session_id: sessionId,
        message: 'change of plan',
        double_texting: 'interrupt',
      });
      expect(second.status).toBe(200);
      expect(second.body.response).toBe('Echo: change of plan');
      const first = await stream;
      expect(first[first.length - 1].event).toBe('cancelled');
      const history = await getJson(stack.url(`/api/chat/history/${sessionId}`));
      const statuses = history.body.messages
        .filter((m: { role: string }) => m.role === 'assistant')
        .map((m: { status: string }) => m.status);
      expect(statuses).toEqual(['cancelled', 'completed']);
    });
  });

  it('when the client of a synchronous request disconnects then the turn is not cancelled and completes', async () => {
    const created = await postJson(stack.url('/api/chat/session'), {});
    const sessionId = created.body.session_id;
    const controller = new AbortController();
    const request = fetch(stack.url('/api/chat/message'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session_id: sessionId, message: 'slow and abandoned' }),
      signal: controller.signal,
    }).catch((err: Error) => err);
    await waitUntil(
      async () => model.requests.length,
      (n) => n > 0,
      { what: 'the model to be called' },
    );
    controller.abort();
    expect(await request).toHaveProperty('name', 'AbortError');
    const history = await waitUntil(
      async () => (await getJson(stack.url(`/api/chat/history/${sessionId}`))).body.messages,
      (messages) => messages.length === 2,
      { what: 'the abandoned turn in the history' },
    );
    expect(history[1]).toEqual(expect.objectContaining({ content: LONG_ANSWER, status: 'completed' }));
  });

  it('when Redis loses the live snapshot then it is rebuilt and nothing is lost', async () => {
    const first = await postJson(stack.url('/api/chat/message'), { message: 'remember me' });
    const sessionId = first.body.session_id;
    const keys = await stack.infra.redis.keys(`${stack.config.REDIS_KEY_PREFIX}*`);
    expect(keys.length).toBeGreaterThan(0);
    await stack.infra.redis.del(...keys);

    const rebuilt = await getJson(stack.url(`/api/chat/session/${sessionId}`));
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body).toEqual(expect.objectContaining({ session_id: sessionId, turns: 1, status: 'active' }));
    expect(rebuilt.body.messages.map((m: { content: string }) => m.content)).toEqual([
      'remember me',
      'Echo: remember me',
    ]);
    expect(await stack.infra.redis.exists(stack.infra.keys.snapshot(sessionId))).toBe(1);

    const second = await postJson(stack.url('/api/chat/message'), { session_id: sessionId, message: 'and now?' });
    expect(second.status).toBe(200);
    // The model still saw the first exchange: memory lives in the workflow, not in Redis.
    const lastRequest = model.requests[model.requests.length - 1];
    expect(lastRequest.body.messages.map((m) => m.content)).toEqual(
      expect.arrayContaining(['remember me', 'Echo: remember me', 'and now?']),
    );
    const history = await getJson(stack.url(`/api/chat/history/${sessionId}`));
    expect(history.body.messages.map((m: { content: string }) => m.content)).toEqual([
      'remember me',
      'Echo: remember me',
      'and now?',
      'Echo: and now?',
    ]);
  });

  describe('any API process serves any session', () => {
    let apiA: { api: RoleProcess; url: string };
    let apiB: { api: RoleProcess; url: string };

    beforeAll(async () => {
      const c = stack.config;
      // Same task queue, Redis prefix and SQLite file as this stack's in-process worker.
      const { env } = processStackEnv(model.baseUrl, {
        TEMPORAL_TASK_QUEUE: c.TEMPORAL_TASK_QUEUE,
        REDIS_KEY_PREFIX: c.REDIS_KEY_PREFIX,
        DATA_DIR: c.DATA_DIR,
        LLM_PRICE_INPUT_PER_1M: '1',
        LLM_PRICE_OUTPUT_PER_1M: '2',
      });
      [apiA, apiB] = await Promise.all([startApiProcess(env), startApiProcess(env)]);
    }, 120_000);
    afterAll(async () => {
      for (const started of [apiA, apiB]) {
        started?.api.kill('SIGTERM');
        await started?.api.exited;
      }
    });

    it('when a message is sent on API A then API B streams the same events', async () => {
      const created = await postJson(`${apiA.url}/api/chat/session`, {});
      expect(created.status).toBe(201);
      const sessionId = created.body.session_id;
      const [onA, onB] = await Promise.all([
        readSse(`${apiA.url}/api/chat/message/stream`, {
          body: { session_id: sessionId, message: 'slow across processes' },
        }),
        readSse(`${apiB.url}/api/chat/session/${sessionId}/events?until=done&last_event_id=0-0`),
      ]);
      const streamed = onA.events.slice(1);
      expect(streamed[streamed.length - 1].event).toBe('done');
      expect(onB.events.map((e) => [e.id, e.event])).toEqual(streamed.map((e) => [e.id, e.event]));
      expect(visibleText(onB.events)).toBe(LONG_ANSWER);
      const history = await getJson(`${apiB.url}/api/chat/history/${sessionId}`);
      expect(history.body.messages.map((m: { content: string }) => m.content)).toEqual([
        'slow across processes',
        LONG_ANSWER,
      ]);
    });
  });
});
