import { endSessionSignal, userMessageSignal } from '../../../src/contract/session-workflow';
import { useWorkflowTestEnv, userMessage, within, WAIT_MS, type SessionHandle } from '../../helpers/workflow-test-env';
import { waitFor } from '../../helpers/wait-for';

/**
 * Resolves once the run has recorded the turn's end (the local activity that archives and publishes
 * it, after the last model call): it then waits for handlers before continuing as new.
 */
async function waitPastTurnEnd(session: SessionHandle): Promise<void> {
  await waitFor(
    async () => {
      const events = (await session.fetchHistory()).events ?? [];
      const lastIndex = (found: (e: (typeof events)[number]) => boolean) =>
        events.reduce((last, e, i) => (found(e) ? i : last), -1);
      const lastActivity = lastIndex((e) => !!e.activityTaskCompletedEventAttributes);
      const finished = lastIndex((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
      return lastActivity >= 0 && finished > lastActivity ? true : undefined;
    },
    { timeoutMs: WAIT_MS, intervalMs: 50 },
  );
}

/** An end asked for while a run hands over to the next is not lost. */
describe('chatSessionWorkflow ending at continue-as-new (stub activities)', () => {
  const t = useWorkflowTestEnv();

  it('when endSession arrives while a handler is in flight at continue-as-new then the next run ends the session', async () => {
    const session = await t.startSession({ continue_as_new_after_turns: 1 });
    const held = await t.startHeldTurn(session, userMessage('last turn of the run'));
    const publish = t.stubs.holdStore(session.sessionId, 'publishEvents');
    await session.signal(userMessageSignal, userMessage('refused', { double_texting: 'reject' }));
    await within(publish.started, 'the refusal publish');
    held.release();
    await waitPastTurnEnd(session);

    await session.signal(endSessionSignal, { reason: 'user left' });
    publish.release();
    const view = await within(session.result(), 'session end');
    expect(view).toEqual(expect.objectContaining({ status: 'ended', turns: 1 }));
    expect(t.stubs.calls.recordSessionEnd.find((r) => r.session_id === session.sessionId)?.reason).toBe('deleted');
  });
});
