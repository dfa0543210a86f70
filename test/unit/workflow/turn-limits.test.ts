import { stateQuery, userMessageSignal } from '../../../src/contract/session-workflow';
import { echo, StubActivities, type ModelScript } from '../../helpers/stub-activities';
import { useWorkflowTestEnv, userMessage } from '../../helpers/workflow-test-env';

const lastUserText = (input: Parameters<ModelScript>[0]) =>
  [...input.messages].reverse().find((m) => m.role === 'user')?.content ?? '';

/** Asks for the calculator on every step when the message says so; echoes otherwise. */
const script: ModelScript = (input) =>
  lastUserText(input).startsWith('keep calling tools')
    ? {
        tool_calls: [
          {
            id: `call-${input.step}`,
            name: 'calculator',
            arguments: '{"expression":"1 + 1"}',
            known: true,
            policy: { maximum_attempts: 1, timeout_seconds: 5 },
          },
        ],
      }
    : echo(input);

/** The limits a turn keeps: the session's budget and the number of model calls per turn. */
describe('chatSessionWorkflow turn limits (stub activities)', () => {
  const t = useWorkflowTestEnv(new StubActivities(script));

  it('when the session has spent its token budget then the next turn fails with budget_exceeded and calls no model', async () => {
    // Each stub model call spends 15 tokens: the first turn uses the whole budget.
    const session = await t.startSession({ max_session_tokens: 15 });
    await session.signal(userMessageSignal, userMessage('spend it'));
    await t.waitForState(session, (s) => s.turns === 1 && s.current_turn === null);
    const refused = userMessage('one more');
    await session.signal(userMessageSignal, refused);

    const ended = await t.waitForTurnsEnded(session, 2);
    expect(ended.map((e) => e.type)).toEqual(['done', 'error']);
    expect((await session.query(stateQuery)).tokens_used).toBe(15);
    expect(t.stubs.modelCalls(session.sessionId)).toHaveLength(1);
    const { result } = t.stubs.archived(session.sessionId)[1];
    expect(result).toEqual(
      expect.objectContaining({
        turn_id: refused.turn_id,
        status: 'failed',
        code: 'budget_exceeded',
        steps: 0,
        tokens_used: 0,
      }),
    );
    expect(result.response).toMatch(/used its budget \(15 tokens/);
  });

  it('when the model keeps asking for tools then the turn stops after max_tool_steps model calls and says so', async () => {
    const session = await t.startSession({ max_tool_steps: 3 });
    const message = userMessage('keep calling tools');
    await session.signal(userMessageSignal, message);

    await t.waitForState(session, (s) => s.turns === 1 && s.current_turn === null);
    const calls = t.stubs.modelCalls(session.sessionId);
    expect(calls.map((c) => c.step)).toEqual([1, 2, 3]);
    expect(t.stubs.calls.calculator.filter((c) => c.turn_id === message.turn_id).map((c) => c.call_id)).toEqual([
      'call-1',
      'call-2',
      'call-3',
    ]);
    // Every tool call the model saw is followed by its result.
    expect(calls[2].messages.slice(-4).map((m) => m.role)).toEqual(['assistant', 'tool', 'assistant', 'tool']);
    const { result } = t.stubs.archived(session.sessionId)[0];
    expect(result).toEqual(
      expect.objectContaining({ status: 'completed', steps: 3, tools_used: ['calculator'], tokens_used: 45 }),
    );
    expect(result.response).toBe(
      "I stopped after 3 model calls without reaching a final answer; the tool results so far are in this turn's history.",
    );
  });
});
