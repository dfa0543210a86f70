import { userMessageSignal } from '../../../src/contract/session-workflow';
import { useWorkflowTestEnv, userMessage } from '../../helpers/workflow-test-env';

/** `max_pending_messages: 0` means no queue, not no messages. */
describe('chatSessionWorkflow with max_pending_messages 0 (stub activities)', () => {
  const t = useWorkflowTestEnv();

  it('when a message arrives while the session is idle then it runs', async () => {
    const session = await t.startSession({ max_pending_messages: 0 });
    await session.signal(userMessageSignal, userMessage('hello'));

    const [ended] = await t.waitForTurnsEnded(session, 1);
    expect(ended.type).toBe('done');
    expect(t.stubs.archived(session.sessionId).map((a) => a.user_message)).toEqual(['hello']);
  });

  it('when a message arrives while a turn runs then it is refused with session_queue_full', async () => {
    const session = await t.startSession({ max_pending_messages: 0 });
    const held = await t.startHeldTurn(session, userMessage('running'));
    const second = userMessage('no room');
    await session.signal(userMessageSignal, second);

    const refusal = await t.waitForPublished(session, (e) => e.type === 'error');
    expect(refusal.data).toEqual(expect.objectContaining({ turn_id: second.turn_id, code: 'session_queue_full' }));
    held.release();
    await t.waitForTurnsEnded(session, 1);
    expect(t.stubs.archived(session.sessionId).map((a) => a.user_message)).toEqual(['running']);
  });
});
