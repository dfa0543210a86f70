import { userMessageSignal } from '../../../src/contract/session-workflow';
import { useWorkflowTestEnv, userMessage, WAIT_MS } from '../../helpers/workflow-test-env';
import { waitFor } from '../../helpers/wait-for';

/** A long session continues as new after `continue_as_new_after_turns` turns, carrying what it knows. */
describe('chatSessionWorkflow continue-as-new (stub activities)', () => {
  const t = useWorkflowTestEnv();

  it('when a run reaches continue_as_new_after_turns with a message queued then the next run runs it, with the conversation and totals carried', async () => {
    const session = await t.startSession({ continue_as_new_after_turns: 1 });
    const [first, queued] = [userMessage('first run'), userMessage('carried over')];
    const held = await t.startHeldTurn(session, first);
    await session.signal(userMessageSignal, queued);
    await t.waitForState(session, (s) => s.pending === 1);
    held.release();

    const state = await t.waitForState(session, (s) => s.turns === 2 && s.current_turn === null);
    expect(state).toEqual(expect.objectContaining({ pending: 0, tokens_used: 30, title: 'first run' }));
    expect(state.messages.map((m) => m.content)).toEqual([
      'first run',
      'Echo: first run',
      'carried over',
      'Echo: carried over',
    ]);

    // The queued message was signalled to the first run only: the second run got it in its input.
    const firstRun = session.firstExecutionRunId;
    const history = await t.env.client.workflow.getHandle(session.workflowId, firstRun).fetchHistory();
    const continued = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
    expect(t.stubs.modelCallRuns.get(first.turn_id)).toBe(firstRun);
    expect(continued?.newExecutionRunId).toBe(t.stubs.modelCallRuns.get(queued.turn_id));
    // The second run's model saw the first run's exchange.
    const secondCall = t.stubs.modelCalls(session.sessionId)[1];
    expect(secondCall.messages.map((m) => m.content)).toEqual([
      'You are a test assistant.',
      'first run',
      'Echo: first run',
      'carried over',
    ]);
  });

  it('when a turn_id from an earlier run is signalled again then the continued run ignores it', async () => {
    const session = await t.startSession({ continue_as_new_after_turns: 1 });
    const message = userMessage('only once');
    await session.signal(userMessageSignal, message);
    await t.waitForState(session, (s) => s.turns === 1 && s.current_turn === null);
    // Signals go to the latest run: wait until the first one has handed over.
    const firstRun = t.env.client.workflow.getHandle(session.workflowId, session.firstExecutionRunId);
    await waitFor(async () => ((await firstRun.describe()).status.name === 'CONTINUED_AS_NEW' ? true : undefined), {
      timeoutMs: WAIT_MS,
      intervalMs: 50,
    });

    await session.signal(userMessageSignal, message);
    await session.signal(userMessageSignal, userMessage('something new'));
    await t.waitForState(session, (s) => s.turns === 2 && s.current_turn === null);
    expect(t.stubs.archived(session.sessionId).map((a) => a.user_message)).toEqual(['only once', 'something new']);
  });
});
