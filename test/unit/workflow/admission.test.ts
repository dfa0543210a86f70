import { endSessionSignal, userMessageSignal } from '../../../src/contract/session-workflow';
import { useWorkflowTestEnv, userMessage, within, type SessionHandle } from '../../helpers/workflow-test-env';

/** Which messages the session admits: repeated turn ids, a full queue, an ended session. */
describe('chatSessionWorkflow admission (stub activities)', () => {
  const t = useWorkflowTestEnv();

  const refusal = (session: SessionHandle, turnId: string) =>
    t.waitForPublished(session, (e) => e.type === 'error' && 'turn_id' in e.data && e.data.turn_id === turnId);

  it('when a turn_id is signalled again while it runs and after it finished then its turn runs once', async () => {
    const session = await t.startSession();
    const message = userMessage('once');
    const held = await t.startHeldTurn(session, message);
    await session.signal(userMessageSignal, message);
    held.release();
    await t.waitForState(session, (s) => s.turns === 1 && s.current_turn === null);
    await session.signal(userMessageSignal, message);
    // A later, distinct message proves the repeats were not merely still queued.
    await session.signal(userMessageSignal, userMessage('next'));

    await t.waitForState(session, (s) => s.turns === 2 && s.current_turn === null);
    expect(t.stubs.archived(session.sessionId).map((a) => a.user_message)).toEqual(['once', 'next']);
    expect(t.stubs.modelCalls(session.sessionId).filter((c) => c.turn_id === message.turn_id)).toHaveLength(1);
    expect(t.stubs.published(session.sessionId)).toEqual([]);
  });

  it('when max_pending_messages wait behind the running turn then one more is refused with session_queue_full', async () => {
    const session = await t.startSession({ max_pending_messages: 1 });
    const [running, waiting, overflow] = [userMessage('running'), userMessage('waiting'), userMessage('one too many')];
    const held = await t.startHeldTurn(session, running);
    await session.signal(userMessageSignal, waiting);
    await session.signal(userMessageSignal, overflow);

    expect((await refusal(session, overflow.turn_id)).data).toEqual(
      expect.objectContaining({ status: 'rejected', code: 'session_queue_full' }),
    );
    held.release();
    await t.waitForState(session, (s) => s.turns === 2 && s.current_turn === null);
    expect(t.stubs.archived(session.sessionId).map((a) => a.user_message)).toEqual(['running', 'waiting']);
  });

  it('when a message arrives after the session was asked to end then it is refused with session_ended', async () => {
    const session = await t.startSession();
    const running = userMessage('last words');
    const late = userMessage('anyone there?');
    const held = await t.startHeldTurn(session, running);
    // Without cancel_running the running turn finishes; the session is ending meanwhile.
    await session.signal(endSessionSignal, {});
    await session.signal(userMessageSignal, late);

    expect((await refusal(session, late.turn_id)).data).toEqual(
      expect.objectContaining({ status: 'rejected', code: 'session_ended' }),
    );
    held.release();
    const view = await within(session.result(), 'session end');
    expect(view).toEqual(expect.objectContaining({ status: 'ended', turns: 1 }));
    expect(t.stubs.archived(session.sessionId).map((a) => [a.user_message, a.result.status])).toEqual([
      ['last words', 'completed'],
    ]);
  });
});
