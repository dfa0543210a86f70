import { cancelTurnSignal, userMessageSignal } from '../../../src/contract/session-workflow';
import { useWorkflowTestEnv, userMessage } from '../../helpers/workflow-test-env';

/** A cancel that names a turn cancels only that turn, and only while it runs. */
describe('chatSessionWorkflow cancelTurn with a turn_id (stub activities)', () => {
  const t = useWorkflowTestEnv();

  const endings = (sessionId: string) => t.stubs.archived(sessionId).map((a) => [a.user_message, a.result.status]);

  it('when a cancel names the previous turn while the next one runs then the running turn is not cancelled', async () => {
    const session = await t.startSession();
    const finished = userMessage('already answered');
    await session.signal(userMessageSignal, finished);
    await t.waitForTurnsEnded(session, 1);
    const held = await t.startHeldTurn(session, userMessage('running now'));

    await session.signal(cancelTurnSignal, { turn_id: finished.turn_id, reason: 'stream ended' });
    await t.waitForState(session, () => true); // the query is answered after the signal was handled
    held.release();
    await t.waitForTurnsEnded(session, 2);
    expect(endings(session.sessionId)).toEqual([
      ['already answered', 'completed'],
      ['running now', 'completed'],
    ]);
  });

  it('when a cancel names a queued turn then neither the running nor the queued turn is cancelled', async () => {
    const session = await t.startSession();
    const queued = userMessage('queued');
    const held = await t.startHeldTurn(session, userMessage('running'));
    await session.signal(userMessageSignal, queued);

    await session.signal(cancelTurnSignal, { turn_id: queued.turn_id });
    await t.waitForState(session, (s) => s.pending === 1);
    held.release();
    await t.waitForTurnsEnded(session, 2);
    expect(endings(session.sessionId)).toEqual([
      ['running', 'completed'],
      ['queued', 'completed'],
    ]);
  });

  it('when a cancel names the running turn then that turn is cancelled and the queued one runs', async () => {
    const session = await t.startSession();
    const [running, queued] = [userMessage('running'), userMessage('queued')];
    await t.startHeldTurn(session, running, 'partial');
    await session.signal(userMessageSignal, queued);

    await session.signal(cancelTurnSignal, { turn_id: running.turn_id });
    await t.waitForTurnsEnded(session, 2);
    expect(endings(session.sessionId)).toEqual([
      ['running', 'cancelled'],
      ['queued', 'completed'],
    ]);
  });
});
