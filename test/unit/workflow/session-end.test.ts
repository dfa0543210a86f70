import { endSessionSignal, userMessageSignal } from '../../../src/contract/session-workflow';
import { useWorkflowTestEnv, userMessage, within } from '../../helpers/workflow-test-env';

/** How a session ends: asked to (queued messages dropped) or idle. */
describe('chatSessionWorkflow ending (stub activities)', () => {
  const t = useWorkflowTestEnv();

  it('when the session is ended with messages queued then the running turn finishes and the queued ones are archived as cancelled (session_ended)', async () => {
    const session = await t.startSession();
    const [running, queued] = [userMessage('running'), userMessage('queued')];
    const held = await t.startHeldTurn(session, running);
    await session.signal(userMessageSignal, queued);
    await t.waitForState(session, (s) => s.pending === 1);
    await session.signal(endSessionSignal, { reason: 'user left' });
    held.release();

    const view = await within(session.result(), 'session end');
    expect(view).toEqual(expect.objectContaining({ status: 'ended', turns: 2, pending: 0 }));
    expect(t.stubs.modelCalls(session.sessionId).map((c) => c.turn_id)).toEqual([running.turn_id]);
    const [, dropped] = t.stubs.archived(session.sessionId);
    expect(dropped.result).toEqual(
      expect.objectContaining({
        turn_id: queued.turn_id,
        status: 'cancelled',
        code: 'session_ended',
        steps: 0,
        model_used: 'none',
      }),
    );
    expect(t.stubs.calls.recordSessionEnd.find((r) => r.session_id === session.sessionId)?.reason).toBe('deleted');
    expect(t.stubs.mirrored(session.sessionId).map((e) => e.type)).toEqual(['done', 'cancelled', 'session_ended']);
  });

  it('when no message arrives for idle_timeout then the session ends itself (idle)', async () => {
    // A real 2-second wait: time skipping needs the Java test server, which cannot be downloaded
    // on this offline machine, so the dev server's clock runs at real speed.
    const session = await t.startSession({ idle_timeout: '2 seconds' });
    await session.signal(userMessageSignal, userMessage('then silence'));

    const view = await within(session.result(), 'idle end');
    expect(view).toEqual(expect.objectContaining({ status: 'ended', turns: 1 }));
    expect(t.stubs.calls.recordSessionEnd.find((r) => r.session_id === session.sessionId)?.reason).toBe('idle');
    const ended = t.stubs.mirrored(session.sessionId).find((e) => e.type === 'session_ended');
    expect(ended?.data).toEqual(expect.objectContaining({ session_id: session.sessionId, reason: 'idle' }));
  });
});
