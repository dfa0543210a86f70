import type { TurnResult } from '../../src/contract/turn';
import {
  getJson,
  postJson,
  type CancelResult,
  type ErrorBody,
  type History,
  type SessionCreated,
} from '../helpers/http';
import { dataOf, readSse, type ReceivedEvent } from '../helpers/sse-client';
import { LONG_ANSWER, slowOrEcho } from '../helpers/slow-or-echo-script';
import { useScriptedStack } from '../helpers/scripted-stack';
import { waitUntil } from '../helpers/wait-for';

/** What happens to a running turn when it is cancelled, a second message arrives, or its client goes. */
describe('interrupting a running turn (real Temporal, Redis, SQLite)', () => {
  const t = useScriptedStack(slowOrEcho);

  it('when a running turn is cancelled then the stream ends with cancelled, the partial answer is kept and the session goes on', async () => {
    let sessionId = '';
    const { events } = await readSse(
      t.stack.url('/api/chat/message/stream'),
      { body: { message: 'slow, then cancelled' } },
      {
        onEvent: async (e) => {
          if (e.event === 'metadata') sessionId = dataOf(e, 'metadata').session_id;
          if (e.event === 'message' && dataOf(e, 'message').content.startsWith('three')) {
            const cancel = await postJson<CancelResult>(t.stack.url(`/api/chat/session/${sessionId}/cancel`), {});
            expect(cancel.status).toBe(202);
            expect(cancel.body).toEqual(expect.objectContaining({ session_id: sessionId, cancelled: true }));
          }
        },
      },
    );
    const last = events[events.length - 1];
    expect(last.event).toBe('cancelled');
    expect(dataOf(last, 'cancelled').status).toBe('cancelled');
    const partial = dataOf(last, 'cancelled').response;
    expect(partial.startsWith('one two three')).toBe(true);
    expect(partial.length).toBeLessThan(LONG_ANSWER.length);

    const next = await postJson<TurnResult>(t.stack.url('/api/chat/message'), {
      session_id: sessionId,
      message: 'still there?',
    });
    expect(next.status).toBe(200);
    expect(next.body.response).toBe('Echo: still there?');
    const history = await getJson<History>(t.stack.url(`/api/chat/history/${sessionId}`));
    const assistant = history.body.messages.filter((m) => m.role === 'assistant');
    expect(assistant.map((m) => m.status)).toEqual(['cancelled', 'completed']);
    expect(assistant[0].content).toBe(partial);
  });

  describe('double texting', () => {
    /** Starts a slow streamed turn and resolves once its first chunk arrived (the turn is running). */
    async function startSlowTurn(): Promise<{ sessionId: string; stream: Promise<ReceivedEvent[]> }> {
      let sessionId = '';
      let running: () => void = () => undefined;
      const started = new Promise<void>((r) => (running = r));
      const stream = readSse(
        t.stack.url('/api/chat/message/stream'),
        { body: { message: 'slow first' } },
        {
          onEvent: (e) => {
            if (e.event === 'metadata') sessionId = dataOf(e, 'metadata').session_id;
            if (e.event === 'message') running();
          },
        },
      ).then((r) => r.events);
      await started;
      return { sessionId, stream };
    }

    it('when a second message arrives with enqueue (default) then it waits and gets its own turn, in order', async () => {
      const { sessionId, stream } = await startSlowTurn();
      const second = await postJson<TurnResult>(t.stack.url('/api/chat/message'), {
        session_id: sessionId,
        message: 'second',
      });
      expect(second.status).toBe(200);
      expect(second.body.response).toBe('Echo: second');
      const first = await stream;
      expect(dataOf(first[first.length - 1], 'done').response).toBe(LONG_ANSWER);
      const history = await getJson<History>(t.stack.url(`/api/chat/history/${sessionId}`));
      expect(history.body.messages.map((m) => m.content)).toEqual([
        'slow first',
        LONG_ANSWER,
        'second',
        'Echo: second',
      ]);
    });

    it('when a second message arrives with reject then it gets 409 session_busy and the running turn is untouched', async () => {
      const { sessionId, stream } = await startSlowTurn();
      const second = await postJson<ErrorBody>(t.stack.url('/api/chat/message'), {
        session_id: sessionId,
        message: 'too soon',
        double_texting: 'reject',
      });
      expect(second.status).toBe(409);
      expect(second.body.error).toEqual(expect.objectContaining({ code: 'session_busy' }));
      const first = await stream;
      expect(first[first.length - 1].event).toBe('done');
      expect(dataOf(first[first.length - 1], 'done').response).toBe(LONG_ANSWER);
      const history = await getJson<History>(t.stack.url(`/api/chat/history/${sessionId}`));
      expect(history.body.messages.map((m) => m.content)).toEqual(['slow first', LONG_ANSWER]);
    });

    it('when a second message arrives with interrupt then the running turn is cancelled (partial kept) and the new message runs next', async () => {
      const { sessionId, stream } = await startSlowTurn();
      const second = await postJson<TurnResult>(t.stack.url('/api/chat/message'), {
        session_id: sessionId,
        message: 'change of plan',
        double_texting: 'interrupt',
      });
      expect(second.status).toBe(200);
      expect(second.body.response).toBe('Echo: change of plan');
      const first = await stream;
      expect(first[first.length - 1].event).toBe('cancelled');
      const history = await getJson<History>(t.stack.url(`/api/chat/history/${sessionId}`));
      const statuses = history.body.messages.filter((m) => m.role === 'assistant').map((m) => m.status);
      expect(statuses).toEqual(['cancelled', 'completed']);
    });
  });

  it('when the client of a synchronous request disconnects then the turn is not cancelled and completes', async () => {
    const created = await postJson<SessionCreated>(t.stack.url('/api/chat/session'), {});
    const sessionId = created.body.session_id;
    const controller = new AbortController();
    const request = fetch(t.stack.url('/api/chat/message'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session_id: sessionId, message: 'slow and abandoned' }),
      signal: controller.signal,
    }).catch((err: Error) => err);
    await waitUntil(
      () => t.model.requests.length,
      (n) => n > 0,
      { what: 'the model to be called' },
    );
    controller.abort();
    expect(await request).toHaveProperty('name', 'AbortError');
    const history = await waitUntil(
      async () => (await getJson<History>(t.stack.url(`/api/chat/history/${sessionId}`))).body.messages,
      (messages) => messages.length === 2,
      { what: 'the abandoned turn in the history' },
    );
    expect(history[1]).toEqual(expect.objectContaining({ content: LONG_ANSWER, status: 'completed' }));
  });
});
