import { userMessageSignal } from '../../../src/contract/session-workflow';
import { StubActivities } from '../../helpers/stub-activities';
import { waitFor } from '../../helpers/wait-for';
import { useWorkflowTestEnv, userMessage, type SessionHandle } from '../../helpers/workflow-test-env';

/** Resolves once a workflow task completed after the session's last signal: the signal was handled. */
function signalHandled(session: SessionHandle): Promise<true> {
  return waitFor(async () => {
    const events = (await session.fetchHistory()).events ?? [];
    const signal = events.reduce((last, e, i) => (e.workflowExecutionSignaledEventAttributes ? i : last), -1);
    return events.slice(signal).some((e) => e.workflowTaskCompletedEventAttributes) || undefined;
  });
}

/** History by reference: a model call that answers without tools ends the turn itself (issue 17 point 1). */
describe('chatSessionWorkflow turns ended by their model call (stub activities, by reference)', () => {
  const t = useWorkflowTestEnv(new StubActivities(() => ({ content: 'answered' }), { byReference: true }));

  it('when a plain turn follows another then it takes 2 workflow tasks and callModel only: 10 events, no local activity', async () => {
    const session = await t.startSession();
    await session.signal(userMessageSignal, userMessage('first'));
    // Settled (the turn recorded): the history holds everything before the next turn.
    await t.waitForState(session, (s) => s.turns === 1 && s.current_turn === null);
    const before = ((await session.fetchHistory()).events ?? []).length;
    await session.signal(userMessageSignal, userMessage('second'));
    await t.waitForState(session, (s) => s.turns === 2 && s.current_turn === null);

    const turn = ((await session.fetchHistory()).events ?? []).slice(before);
    expect(turn.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [])).toEqual([
      'callModel',
    ]);
    expect(turn.filter((e) => e.markerRecordedEventAttributes)).toHaveLength(0);
    expect(turn.filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(2);
    expect(turn).toHaveLength(10);
    // The model call archived the turn; the workflow adopted the archived result.
    expect(t.stubs.archived(session.sessionId).map((a) => [a.result.response, a.seq])).toEqual([
      ['answered', 1],
      ['answered', 2],
    ]);
  });

  it('when the model call ends the turn then the session state holds the archived result and the snapshot it published agrees', async () => {
    const session = await t.startSession();
    await session.signal(userMessageSignal, userMessage('count me'));
    const [done] = await t.waitForTurnsEnded(session, 1);
    const state = await t.waitForState(session, (s) => s.turns === 1 && s.current_turn === null);

    const archived = t.stubs.archived(session.sessionId)[0].result;
    expect(done.data).toEqual(archived);
    expect(state.tokens_used).toBe(archived.tokens_used);
    expect(state.last_activity_at).toBe(archived.created_at);
    expect(state.messages.map((m) => [m.role, m.content])).toEqual([
      ['user', 'count me'],
      ['assistant', 'answered'],
    ]);
    const mirror = t.stubs.calls.mirrorSession.find((m) => m.snapshot.session_id === session.sessionId);
    expect(mirror?.snapshot).toEqual(
      expect.objectContaining({ turns: 1, title: state.title, current_turn: null, status: 'active' }),
    );
  });

  it('when a reject message was sent after the running turn published done then it runs as the next turn', async () => {
    const session = await t.startSession();
    const running = userMessage('running');
    const held = await t.startHeldTurn(session, running);
    // The API saw the stream past the turn's `done` (the stub's ids are small): the client had the answer.
    const next = { ...userMessage('right after done', { double_texting: 'reject' }), after_id: '999999999-0' };
    await session.signal(userMessageSignal, next);
    await signalHandled(session);
    held.release();

    await t.waitForState(session, (s) => s.turns === 2 && s.current_turn === null);
    expect(t.stubs.modelCalls(session.sessionId).map((c) => c.turn_id)).toEqual([running.turn_id, next.turn_id]);
    expect(t.stubs.published(session.sessionId)).toEqual([]);
  });

  it('when a reject message was sent before the running turn published done then it is refused with session_busy', async () => {
    const session = await t.startSession();
    const running = userMessage('running');
    const held = await t.startHeldTurn(session, running);
    const early = { ...userMessage('too soon', { double_texting: 'reject' }), after_id: '0-0' };
    await session.signal(userMessageSignal, early);
    await signalHandled(session);
    held.release();

    const refusal = await t.waitForPublished(session, (e) => e.type === 'error');
    expect(refusal.data).toEqual(
      expect.objectContaining({ turn_id: early.turn_id, status: 'rejected', code: 'session_busy' }),
    );
    const state = await t.waitForState(session, (s) => s.turns === 1 && s.current_turn === null);
    expect(state.pending).toBe(0);
    expect(t.stubs.modelCalls(session.sessionId).map((c) => c.turn_id)).toEqual([running.turn_id]);
  });
});
