import { turnIdOf } from '../../src/contract/event-catalog';
import type { TurnResult } from '../../src/contract/turn';
import { postJson, type ErrorBody } from '../helpers/http';
import { useProcessHarness } from '../helpers/process-harness';
import { expectNoUnhandled, startApiProcess, startWorkerProcess } from '../helpers/process-stack';
import { useRestartableDevServer } from '../helpers/restartable-dev-server';

/**
 * Crash safety with real processes, continued (crash-safety.test.ts): the Temporal dev server
 * restarts on its file database mid-turn. The turn completes exactly once: one archive row,
 * the client gets its answer.
 */
jest.setTimeout(240_000);

const LONG_ANSWER = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');

const { stack, fakeModel, track, sessionEvents, archiveRows, newSession, messagesStreamed } = useProcessHarness();

describe('crash safety with a Temporal dev server of its own (file database, real processes)', () => {
  const devServer = useRestartableDevServer('restart');

  it('when the dev server restarts mid-turn on the same file then the turn completes once and the client gets its answer', async () => {
    const model = await fakeModel(() => ({ content: LONG_ANSWER, chunkDelayMs: 300 }));
    const env = await stack(model, { TEMPORAL_ADDRESS: devServer.address() });
    const worker = track(await startWorkerProcess(env.env));
    const { api, url } = await startApiProcess(env.env);
    track(api);
    const sessionId = await newSession(url);

    const reply = postJson<TurnResult>(`${url}/api/chat/message`, {
      message: 'a story across a restart',
      session_id: sessionId,
    });
    await messagesStreamed(env.prefix, sessionId, 3);
    await devServer.restart();

    const { status, body } = await reply;
    expect(status).toBe(200);
    expect(body.response).toBe(LONG_ANSWER);
    expect(await archiveRows(env, body.turn_id)).toBe(1);
    const events = (await sessionEvents(env.prefix, sessionId)).filter((e) => turnIdOf(e) === body.turn_id);
    expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
    // Both processes rode out the outage.
    expect(worker.child.exitCode).toBeNull();
    expect(api.child.exitCode).toBeNull();
    expectNoUnhandled(worker, api);
  });
  it('when the dev server is down then a message answers 503 with Retry-After, and the same keyed message completes once it is back', async () => {
    const model = await fakeModel(() => ({ content: 'after the outage' }));
    const env = await stack(model, { TEMPORAL_ADDRESS: devServer.address() });
    track(await startWorkerProcess(env.env));
    const { api, url } = await startApiProcess(env.env);
    track(api);
    const sessionId = await newSession(url);
    const send = () =>
      postJson<TurnResult & ErrorBody>(
        `${url}/api/chat/message`,
        { message: 'are you there?', session_id: sessionId },
        { 'Idempotency-Key': `temporal-down-${sessionId}` },
      );

    await devServer.stop();
    const during = await send();
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(during.body.error.code).toBe('dependency_unavailable');
    await devServer.start();

    const after = await send();
    expect(after.status).toBe(200);
    expect(after.body.response).toBe('after the outage');
    expect(await archiveRows(env, after.body.turn_id)).toBe(1);
    expectNoUnhandled(api);
  });
});
