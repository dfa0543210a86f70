import { startApiProcess, startWorkerProcess, UNHANDLED_PATTERN } from '../helpers/process-stack';
import { openSse } from '../helpers/live-sse-client';
import { useProcessHarness } from '../helpers/process-harness';
import { postJson, type ErrorBody, type TurnDetails } from '../helpers/http';
import { dataOf } from '../helpers/sse-client';
import { turnIdOf } from '../../src/contract/event-catalog';
import type { TurnResult } from '../../src/contract/turn';
import { waitUntil } from '../helpers/wait-for';

/**
 * Graceful shutdown with real processes: SIGTERM on a worker lets its running model call
 * finish (or, past the grace time, hands it back for a retry on another worker); SIGTERM on
 * the API stops accepting, ends open streams with `server_shutdown`, closes Redis and SQLite,
 * and exits 0 without an uncaught exception.
 */
jest.setTimeout(240_000);

const ANSWER = Array.from({ length: 24 }, (_, i) => `token${i}`).join(' ');

const harness = useProcessHarness();
const { stack, fakeModel, track, sessionEvents, archiveRows, newSession, messagesStreamed } = harness;

describe('graceful shutdown (real processes)', () => {
  it('when a worker gets SIGTERM during a model call then it finishes the call within the grace time, exits 0, and another worker completes the turn', async () => {
    const model = await fakeModel(() => ({ content: ANSWER, chunkDelayMs: 150 }));
    const env = await stack(model, { WORKER_SHUTDOWN_GRACE_SECONDS: '60' });
    const worker1 = track(await startWorkerProcess(env.env));
    const { api, url } = await startApiProcess(env.env);
    track(api);
    const sessionId = await newSession(url);

    const reply = postJson<TurnResult>(`${url}/api/chat/message`, {
      message: 'finish what you started',
      session_id: sessionId,
    });
    await messagesStreamed(env.prefix, sessionId, 2);
    worker1.kill('SIGTERM');
    const exit = await worker1.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    // The call it was running got to finish: the whole answer streamed from the one attempt.
    const streamed = (await sessionEvents(env.prefix, sessionId)).filter((e) => e.type === 'message');
    expect(streamed.map((e) => dataOf(e, 'message').content).join('')).toBe(ANSWER);
    expect(model.requests).toHaveLength(1);
    expect(worker1.output()).toMatch(/"msg":"worker stopped"/);
    expect(worker1.output()).toMatch(/\[shutdown\] done/);
    expect(worker1.output()).not.toMatch(UNHANDLED_PATTERN);

    // The rest of the turn (archive, result) needs a worker: the next one picks it up.
    const worker2 = track(await startWorkerProcess(env.env));
    const { status, body } = await reply;
    expect(status).toBe(200);
    expect(body.response).toBe(ANSWER);
    expect(await archiveRows(env, body.turn_id)).toBe(1);
    expect(model.requests).toHaveLength(1);
    expect(worker2.output()).not.toMatch(UNHANDLED_PATTERN);
  });

  it('when a worker gets SIGTERM and the model call outlasts the grace time then the call is handed back and retried on another worker', async () => {
    const model = await fakeModel((_req, index) => ({ content: ANSWER, chunkDelayMs: index === 0 ? 2000 : 0 }));
    const env = await stack(model, { WORKER_SHUTDOWN_GRACE_SECONDS: '1' });
    const worker1 = track(await startWorkerProcess(env.env));
    const { api, url } = await startApiProcess(env.env);
    track(api);
    const sessionId = await newSession(url);

    const reply = postJson<TurnResult>(`${url}/api/chat/message`, {
      message: 'a very slow answer',
      session_id: sessionId,
    });
    await messagesStreamed(env.prefix, sessionId, 1);
    worker1.kill('SIGTERM');
    expect(await worker1.exited).toEqual({ code: 0, signal: null });
    expect(worker1.output()).not.toMatch(UNHANDLED_PATTERN);

    const worker2 = track(await startWorkerProcess(env.env));
    const { status, body } = await reply;
    expect(status).toBe(200);
    expect(body.response).toBe(ANSWER);
    expect(await archiveRows(env, body.turn_id)).toBe(1);
    const events = (await sessionEvents(env.prefix, sessionId)).filter((e) => turnIdOf(e) === body.turn_id);
    expect(events.some((e) => e.type === 'reset')).toBe(true);
    expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
    expect(model.requests).toHaveLength(2);
    expect(worker2.output()).not.toMatch(UNHANDLED_PATTERN);
  });

  it('when the API gets SIGTERM with a stream open then the stream ends with server_shutdown, the API stops accepting and closes its stores, and the turn still completes', async () => {
    const model = await fakeModel(() => ({ content: ANSWER, chunkDelayMs: 300 }));
    const env = await stack(model);
    const worker = track(await startWorkerProcess(env.env));
    const first = await startApiProcess(env.env);
    track(first.api);
    const sessionId = await newSession(first.url);

    const stream = await openSse(`${first.url}/api/chat/message/stream`, {
      method: 'POST',
      body: { message: 'stream until shutdown', session_id: sessionId },
    });
    const turnId = dataOf(await stream.waitFor((e) => e.event === 'metadata'), 'metadata').turn_id;
    await stream.waitFor((e) => e.event === 'message');
    // A synchronous request waiting on another session's turn at the same moment.
    const otherSession = await newSession(first.url);
    const waiting = postJson<ErrorBody<TurnDetails>>(`${first.url}/api/chat/message`, {
      message: 'wait for me',
      session_id: otherSession,
    });
    await messagesStreamed(env.prefix, otherSession, 1);
    first.api.kill('SIGTERM');

    const cutShort = await waiting;
    expect(cutShort.status).toBe(503);
    expect(cutShort.body.error).toMatchObject({ code: 'server_shutting_down', details: { session_id: otherSession } });
    const waitingTurn = cutShort.body.error.details?.turn_id ?? '';
    expect(await stream.ended).toBe('ended');
    const last = stream.events[stream.events.length - 1];
    expect(last.event).toBe('server_shutdown');
    expect(dataOf(last, 'server_shutdown').resume).toMatch(/Last-Event-ID/);
    expect(await first.api.exited).toEqual({ code: 0, signal: null });
    expect(first.api.output()).toMatch(/\[shutdown\] done: API closed, worker drained, Redis and SQLite closed/);
    expect(first.api.output()).not.toMatch(UNHANDLED_PATTERN);
    // Nothing listens on the old port any more.
    await expect(fetch(`${first.url}/health`)).rejects.toThrow();

    // The turn went on in the worker; another API serves the rest from the last event id.
    const second = await startApiProcess(env.env);
    track(second.api);
    const resumed = await openSse(`${second.url}/api/chat/session/${sessionId}/events?until=done`, {
      headers: { 'last-event-id': stream.lastId() as string },
    });
    await resumed.ended;
    const text = [...stream.events, ...resumed.events]
      .filter((e) => e.event === 'message')
      .map((e) => dataOf(e, 'message').content)
      .join('');
    expect(text).toBe(ANSWER);
    expect(resumed.events.filter((e) => e.event === 'done' && dataOf(e, 'done').turn_id === turnId)).toHaveLength(1);
    expect(await archiveRows(env, turnId)).toBe(1);
    // The cut-short request's turn finished too, once.
    await waitUntil(
      () => archiveRows(env, waitingTurn),
      (rows) => rows === 1,
      { timeoutMs: 120_000, intervalMs: 250, what: `one archive row for the cut-short turn ${waitingTurn}` },
    );
    expect(worker.output()).not.toMatch(UNHANDLED_PATTERN);
  });
});
