import { cancelTurnSignal, userMessageSignal } from '../../../src/contract/session-workflow';
import { useWorkflowTestEnv, userMessage, WAIT_MS } from '../../helpers/workflow-test-env';
import { waitFor } from '../../helpers/wait-for';

/** Signals that run no turn grow the history too: an idle run continues as new after its share of them. */
describe('chatSessionWorkflow continue-as-new while idle (stub activities)', () => {
  const t = useWorkflowTestEnv();

  it('when only cancels arrive, as many as continue_as_new_after_turns, then the idle run continues as new and the next message still runs', async () => {
    const session = await t.startSession({ continue_as_new_after_turns: 3 });
    for (let i = 0; i < 3; i++) await session.signal(cancelTurnSignal, {});

    const firstRun = t.env.client.workflow.getHandle(session.workflowId, session.firstExecutionRunId);
    await waitFor(async () => ((await firstRun.describe()).status.name === 'CONTINUED_AS_NEW' ? true : undefined), {
      timeoutMs: WAIT_MS,
      intervalMs: 50,
    });
    const message = userMessage('after the cancels');
    await session.signal(userMessageSignal, message);
    const [ended] = await t.waitForTurnsEnded(session, 1);
    expect(ended.type).toBe('done');
    expect(t.stubs.modelCallRuns.get(message.turn_id)).not.toBe(session.firstExecutionRunId);
  });
  it('when a message is sent again after its turn, as often as continue_as_new_after_turns allows, then the repeats count and the idle run continues as new', async () => {
    const session = await t.startSession({ continue_as_new_after_turns: 3 });
    const message = userMessage('once');
    await session.signal(userMessageSignal, message);
    await t.waitForTurnsEnded(session, 1);
    // Two repeats of a finished turn are ignored (no turn runs) but grow the history: with the turn, three.
    for (let i = 0; i < 2; i++) await session.signal(userMessageSignal, message);

    const firstRun = t.env.client.workflow.getHandle(session.workflowId, session.firstExecutionRunId);
    await waitFor(async () => ((await firstRun.describe()).status.name === 'CONTINUED_AS_NEW' ? true : undefined), {
      timeoutMs: WAIT_MS,
      intervalMs: 50,
    });
    expect(t.stubs.modelCalls(session.sessionId)).toHaveLength(1);
  });
});
