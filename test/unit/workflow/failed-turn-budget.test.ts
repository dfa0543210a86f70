import { ApplicationFailure } from '@temporalio/common';
import type { ModelSpend } from '../../../src/contract/activity-io';
import { MODEL_FAILURE_TYPES } from '../../../src/contract/model-failure';
import { stateQuery, userMessageSignal } from '../../../src/contract/session-workflow';
import { echo, StubActivities, type ModelScript } from '../../helpers/stub-activities';
import { useWorkflowTestEnv, userMessage } from '../../helpers/workflow-test-env';

/** What the failing model consumed before it failed for good (carried in its final failure's details). */
const SPENT: ModelSpend = {
  model: 'stub-model',
  prompt_tokens: 40,
  completion_tokens: 20,
  cost: 0.002,
  usage_estimated: true,
};

/** "fail" makes the model fail for good after spending SPENT; anything else is echoed. */
const script: ModelScript = (input) => {
  const last = [...input.messages].reverse().find((m) => m.role === 'user');
  if (last?.content === 'fail') {
    throw ApplicationFailure.create({
      message: 'the provider rejected the request after streaming',
      type: MODEL_FAILURE_TYPES.badRequest,
      nonRetryable: true,
      details: [SPENT],
    });
  }
  return echo(input);
};

/** A turn that fails outright was still billed for what its models consumed: the budget counts it. */
describe('chatSessionWorkflow budget after a failed turn (stub activities)', () => {
  const t = useWorkflowTestEnv(new StubActivities(script));

  it('when a turn fails after its model spent tokens then the spend counts toward the session budget and the next turn is refused', async () => {
    const session = await t.startSession({ max_session_tokens: 60 });
    await session.signal(userMessageSignal, userMessage('fail'));
    await t.waitForState(session, (s) => s.turns === 1 && s.current_turn === null);
    expect((await session.query(stateQuery)).tokens_used).toBe(60);
    expect((await session.query(stateQuery)).cost).toBeCloseTo(0.002, 9);

    await session.signal(userMessageSignal, userMessage('one more'));
    const ended = await t.waitForTurnsEnded(session, 2);
    expect(ended.map((e) => e.type)).toEqual(['error', 'error']);
    expect(t.stubs.archived(session.sessionId)[1].result).toEqual(
      expect.objectContaining({ status: 'failed', code: 'budget_exceeded', tokens_used: 0 }),
    );
    expect(t.stubs.modelCalls(session.sessionId)).toHaveLength(1);
  });
});
