import { userMessageSignal } from '../../../src/contract/session-workflow';
import { useWorkflowTestEnv, userMessage } from '../../helpers/workflow-test-env';

/** What the session does with a message that arrives while a turn runs (`double_texting`). */
describe('chatSessionWorkflow double texting (stub activities)', () => {
  const t = useWorkflowTestEnv();

  const archivedTurns = (sessionId: string) =>
    t.stubs.archived(sessionId).map((a) => [a.user_message, a.result.status]);

  it('when messages arrive while a turn runs with enqueue then they run after it, first come first served', async () => {
    const session = await t.startSession();
    const [first, second, third] = [userMessage('first'), userMessage('second'), userMessage('third')];
    const held = await t.startHeldTurn(session, first);
    await session.signal(userMessageSignal, second);
    await session.signal(userMessageSignal, { ...third, options: { ...third.options, double_texting: 'enqueue' } });
    await t.waitForState(session, (s) => s.pending === 2);

    held.release();
    await t.waitForState(session, (s) => s.turns === 3 && s.current_turn === null);
    expect(t.stubs.modelCalls(session.sessionId).map((c) => c.turn_id)).toEqual([
      first.turn_id,
      second.turn_id,
      third.turn_id,
    ]);
    expect(archivedTurns(session.sessionId)).toEqual([
      ['first', 'completed'],
      ['second', 'completed'],
      ['third', 'completed'],
    ]);
  });

  it('when a message with reject arrives while a turn runs then it is refused with session_busy and never runs', async () => {
    const session = await t.startSession();
    const running = userMessage('running');
    const rejected = userMessage('too soon', { double_texting: 'reject' });
    const held = await t.startHeldTurn(session, running);
    await session.signal(userMessageSignal, rejected);

    const refusal = await t.waitForPublished(session, (e) => e.type === 'error');
    expect(refusal.data).toEqual(
      expect.objectContaining({ turn_id: rejected.turn_id, status: 'rejected', code: 'session_busy' }),
    );
    held.release();
    const state = await t.waitForState(session, (s) => s.turns === 1 && s.current_turn === null);
    expect(state.pending).toBe(0);
    expect(t.stubs.modelCalls(session.sessionId).map((c) => c.turn_id)).toEqual([running.turn_id]);
    expect(archivedTurns(session.sessionId)).toEqual([['running', 'completed']]);
  });

  it('when a message with interrupt arrives while a turn runs then that turn is cancelled (partial answer kept) and the new one runs next', async () => {
    const session = await t.startSession();
    const [queued, interrupting] = [
      userMessage('queued'),
      userMessage('stop, do this', { double_texting: 'interrupt' }),
    ];
    const running = userMessage('long answer');
    await t.startHeldTurn(session, running, 'The beginning of a long');
    await session.signal(userMessageSignal, queued);
    await session.signal(userMessageSignal, interrupting);

    const ended = await t.waitForTurnsEnded(session, 3);
    expect(ended.map((e) => e.type)).toEqual(['cancelled', 'done', 'done']);
    expect(archivedTurns(session.sessionId)).toEqual([
      ['long answer', 'cancelled'],
      ['stop, do this', 'completed'],
      ['queued', 'completed'],
    ]);
    expect(t.stubs.archived(session.sessionId)[0].result.response).toBe('The beginning of a long');
  });
});
