import { SessionWorkflows } from '../../src/api/sessions/session-workflows';
import { postJson, type CancelResult, type ErrorBody, type SessionCreated } from '../helpers/http';
import { openSse } from '../helpers/live-sse-client';
import { dataOf, readSse } from '../helpers/sse-client';
import { slowOrEcho } from '../helpers/slow-or-echo-script';
import { useScriptedStack } from '../helpers/scripted-stack';

/** Requests that name the turn they mean: following one turn's events, cancelling one turn. */
describe('requests addressed to one turn (real Temporal, Redis, SQLite)', () => {
  const t = useScriptedStack(slowOrEcho);

  async function newSession(): Promise<string> {
    return (await postJson<SessionCreated>(t.stack.url('/api/chat/session'), {})).body.session_id;
  }

  /** Starts a slow streamed turn; resolves once it is running, with its id and the open stream. */
  async function slowTurn(sessionId: string) {
    const stream = await openSse(t.stack.url('/api/chat/message/stream'), {
      method: 'POST',
      body: { session_id: sessionId, message: 'slow one' },
    });
    const turnId = dataOf(await stream.waitFor((e) => e.event === 'metadata'), 'metadata').turn_id;
    await stream.waitFor((e) => e.event === 'message');
    return { turnId, stream };
  }

  it('when following until=done with a turn_id then another turn refused meanwhile does not end the stream', async () => {
    const sessionId = await newSession();
    const { turnId, stream } = await slowTurn(sessionId);
    const following = readSse(t.stack.url(`/api/chat/session/${sessionId}/events?until=done&turn_id=${turnId}`));
    // Give the follower time to open before the refusal is published.
    await new Promise((r) => setTimeout(r, 300));
    const refused = await postJson<ErrorBody>(t.stack.url('/api/chat/message'), {
      session_id: sessionId,
      message: 'too soon',
      double_texting: 'reject',
    });
    expect(refused.status).toBe(409);
    const { events } = await following;
    const last = events[events.length - 1];
    expect(last.event).toBe('done');
    expect(dataOf(last, 'done').turn_id).toBe(turnId);
    await stream.ended;
  });

  it('when following with a turn_id that is not a UUID then the answer is 422', async () => {
    const sessionId = await newSession();
    const response = await readSse(t.stack.url(`/api/chat/session/${sessionId}/events?until=done&turn_id=nope`));
    expect(response.status).toBe(422);
    expect(response.errorBody?.error.code).toBe('validation_failed');
  });

  describe('a cancel naming a turn_id', () => {
    let cancels: jest.SpyInstance;
    beforeEach(() => {
      cancels = jest.spyOn(SessionWorkflows.prototype, 'cancelTurn');
    });
    afterEach(() => cancels.mockRestore());

    it('when it names the running turn then the signal carries that turn_id and the turn ends cancelled', async () => {
      const sessionId = await newSession();
      const { turnId, stream } = await slowTurn(sessionId);
      const cancel = await postJson<CancelResult>(t.stack.url(`/api/chat/session/${sessionId}/cancel`), {
        turn_id: turnId,
      });
      expect(cancel.status).toBe(202);
      expect(cancel.body).toEqual({ session_id: sessionId, turn_id: turnId, cancelled: true });
      expect(cancels).toHaveBeenCalledWith(sessionId, expect.objectContaining({ turn_id: turnId }));
      await stream.ended;
      expect(stream.events[stream.events.length - 1].event).toBe('cancelled');
    });

    it('when it names another turn than the running one then the answer says nothing was cancelled', async () => {
      const sessionId = await newSession();
      const { stream } = await slowTurn(sessionId);
      const other = '00000000-0000-4000-8000-000000000000';
      const cancel = await postJson<CancelResult>(t.stack.url(`/api/chat/session/${sessionId}/cancel`), {
        turn_id: other,
      });
      expect(cancel.status).toBe(202);
      expect(cancel.body).toEqual({ session_id: sessionId, turn_id: other, cancelled: false });
      expect(cancels).toHaveBeenCalledWith(sessionId, expect.objectContaining({ turn_id: other }));
      stream.close();
    });
  });

  it('when a cancel body has a malformed turn_id then the answer is 422', async () => {
    const sessionId = await newSession();
    const response = await postJson<ErrorBody>(t.stack.url(`/api/chat/session/${sessionId}/cancel`), {
      turn_id: 42,
    });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('validation_failed');
  });
});
