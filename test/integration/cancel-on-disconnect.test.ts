import { startApi } from '../../src/api-process';
import { SessionWorkflows } from '../../src/api/sessions/session-workflows';
import type { SessionSnapshot } from '../../src/contract/session';
import type { TurnResult } from '../../src/contract/turn';
import { getJson, postJson, type History, type SessionCreated } from '../helpers/http';
import { openSse } from '../helpers/live-sse-client';
import { dataOf, readSse } from '../helpers/sse-client';
import { LONG_ANSWER, slowOrEcho } from '../helpers/slow-or-echo-script';
import { useScriptedStack } from '../helpers/scripted-stack';
import { testLogger } from '../helpers/test-log';
import { waitUntil } from '../helpers/wait-for';

/** `cancel_on_disconnect` cancels the request's turn only when its client really leaves before the turn ended. */
describe('cancel_on_disconnect (real Temporal, Redis, SQLite)', () => {
  const t = useScriptedStack(slowOrEcho);
  let cancels: jest.SpyInstance;
  beforeEach(() => {
    cancels = jest.spyOn(SessionWorkflows.prototype, 'cancelTurn');
  });
  afterEach(() => cancels.mockRestore());

  async function newSession(): Promise<string> {
    return (await postJson<SessionCreated>(t.stack.url('/api/chat/session'), {})).body.session_id;
  }

  async function assistantStatuses(sessionId: string, count: number): Promise<string[]> {
    const messages = await waitUntil(
      async () => (await getJson<History>(t.stack.url(`/api/chat/history/${sessionId}`))).body.messages,
      (all) => all.filter((m) => m.role === 'assistant').length === count,
      { what: `${count} archived answers` },
    );
    return messages.filter((m) => m.role === 'assistant').map((m) => m.status ?? '');
  }

  it('when the stream ends normally after done then no cancel is sent and the queued next turn completes', async () => {
    const sessionId = await newSession();
    let queued: Promise<{ status: number; body: TurnResult }> | undefined;
    const first = await readSse(
      t.stack.url('/api/chat/message/stream'),
      { body: { session_id: sessionId, message: 'slow first', cancel_on_disconnect: true } },
      {
        onEvent: (e) => {
          if (e.event === 'message' && !queued)
            queued = postJson<TurnResult>(t.stack.url('/api/chat/message'), {
              session_id: sessionId,
              message: 'slow second',
            });
        },
      },
    );
    expect(first.events[first.events.length - 1].event).toBe('done');
    const second = await (queued as NonNullable<typeof queued>);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(expect.objectContaining({ status: 'completed', response: LONG_ANSWER }));
    expect(cancels).not.toHaveBeenCalled();
  });

  it('when the client disconnects mid-turn then that turn, named by its turn_id, is cancelled', async () => {
    const sessionId = await newSession();
    const { events } = await readSse(
      t.stack.url('/api/chat/message/stream'),
      { body: { session_id: sessionId, message: 'slow and left', cancel_on_disconnect: true } },
      { stopWhen: (e) => e.event === 'message' },
    );
    const turnId = dataOf(events[0], 'metadata').turn_id;
    expect(await assistantStatuses(sessionId, 1)).toEqual(['cancelled']);
    expect(cancels).toHaveBeenCalledWith(sessionId, expect.objectContaining({ turn_id: turnId }));
  });

  it('when the client of a synchronous request with cancel_on_disconnect leaves mid-turn then the cancel names that turn', async () => {
    const sessionId = await newSession();
    const controller = new AbortController();
    const request = fetch(t.stack.url('/api/chat/message'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session_id: sessionId, message: 'slow and abandoned', cancel_on_disconnect: true }),
      signal: controller.signal,
    }).catch((err: Error) => err);
    const running = await waitUntil(
      async () => (await getJson<SessionSnapshot>(t.stack.url(`/api/chat/session/${sessionId}`))).body.current_turn,
      (turn) => Boolean(turn?.turn_id),
      { what: 'the turn to run' },
    );
    controller.abort();
    await request;
    expect(await assistantStatuses(sessionId, 1)).toEqual(['cancelled']);
    expect(cancels).toHaveBeenCalledWith(sessionId, expect.objectContaining({ turn_id: running?.turn_id }));
  });

  it('when the API shuts down during the stream then the turn is not cancelled and completes', async () => {
    const api = await startApi(
      t.stack.config,
      t.stack.infra,
      testLogger({ api: 'shutting-down' }),
      t.stack.config.TEMPORAL_ADDRESS as string,
    );
    const sessionId = await newSession();
    const stream = await openSse(`${api.url}/api/chat/message/stream`, {
      method: 'POST',
      body: { session_id: sessionId, message: 'slow through shutdown', cancel_on_disconnect: true },
    });
    await stream.waitFor((e) => e.event === 'message');
    await api.stop();
    await stream.ended;
    expect(stream.events[stream.events.length - 1].event).toBe('server_shutdown');
    expect(await assistantStatuses(sessionId, 1)).toEqual(['completed']);
    expect(cancels).not.toHaveBeenCalled();
  });
});
