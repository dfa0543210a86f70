import type { ChatMessage } from '../../../src/contract/chat-message';
import { cancelTurnSignal, userMessageSignal } from '../../../src/contract/session-workflow';
import { echo, StubActivities, type ModelScript } from '../../helpers/stub-activities';
import { useWorkflowTestEnv, userMessage, within, type SessionHandle } from '../../helpers/workflow-test-env';

/** "calculate …" asks for the calculator (2 attempts); a tool result is answered; anything else is echoed. */
const calculatorScript: ModelScript = (input) => {
  const last = input.messages.at(-1);
  if (last?.role === 'tool') return { content: `tool said ${last.content}` };
  if (last?.role === 'user' && last.content?.startsWith('calculate')) {
    const policy = { maximum_attempts: 2, timeout_seconds: 10 };
    return { tool_calls: [{ id: `call-${input.turn_id}`, name: 'calculator', arguments: '{}', known: true, policy }] };
  }
  return echo(input);
};

/** Tool call ids of assistant messages that no tool message answers before the next other message. */
function orphanedCalls(messages: ChatMessage[]): string[] {
  return messages.flatMap((m, i) => {
    const answered = new Set<string>();
    for (const next of messages.slice(i + 1)) {
      if (next.role !== 'tool') break;
      answered.add(next.tool_call_id ?? '');
    }
    return (m.tool_calls ?? []).map((c) => c.id).filter((id) => !answered.has(id));
  });
}

/** A tool step that does not finish leaves the conversation valid: every tool call has its result. */
describe('chatSessionWorkflow tool exchanges that do not finish (stub activities)', () => {
  const t = useWorkflowTestEnv(new StubActivities(calculatorScript));

  /** Sends one more message and returns the context its model call received. */
  const nextTurnInput = async (session: SessionHandle) => {
    await session.signal(userMessageSignal, userMessage('and now?'));
    await t.waitForTurnsEnded(session, 2);
    return t.stubs.modelCalls(session.sessionId).at(-1)?.messages ?? [];
  };

  it('when a turn is cancelled while its tool runs then the next turn sends the model no orphaned tool call', async () => {
    const session = await t.startSession();
    const message = userMessage('calculate 1+1');
    const tool = t.stubs.holdTool(message.turn_id);
    await session.signal(userMessageSignal, message);
    await within(tool.started, 'tool call');
    await session.signal(cancelTurnSignal, {});
    const [ended] = await t.waitForTurnsEnded(session, 1);
    expect(ended.type).toBe('cancelled');

    const context = await nextTurnInput(session);
    expect(orphanedCalls(context)).toEqual([]);
    const result = context.find((m) => m.role === 'tool');
    expect(JSON.parse(result?.content ?? '{}')).toEqual({ error: 'cancelled' });
    tool.release();
  });

  it('when a turn is interrupted while its tool runs then the interrupting turn sends the model no orphaned tool call', async () => {
    const session = await t.startSession();
    const message = userMessage('calculate 3+3');
    const tool = t.stubs.holdTool(message.turn_id);
    await session.signal(userMessageSignal, message);
    await within(tool.started, 'tool call');
    await session.signal(userMessageSignal, userMessage('never mind', { double_texting: 'interrupt' }));
    const ended = await t.waitForTurnsEnded(session, 2);
    expect(ended.map((e) => e.type)).toEqual(['cancelled', 'done']);

    const context = t.stubs.modelCalls(session.sessionId).at(-1)?.messages ?? [];
    expect(orphanedCalls(context)).toEqual([]);
    const result = context.find((m) => m.role === 'tool');
    expect(JSON.parse(result?.content ?? '{}')).toEqual({ error: 'cancelled' });
    tool.release();
  });

  it('when a tool fails out of retries then the next turn sends the model no orphaned tool call', async () => {
    const session = await t.startSession();
    const message = userMessage('calculate 2+2');
    t.stubs.failTool(message.turn_id);
    await session.signal(userMessageSignal, message);
    const [ended] = await t.waitForTurnsEnded(session, 1);
    expect(ended.type).toBe('error');

    const context = await nextTurnInput(session);
    expect(orphanedCalls(context)).toEqual([]);
    const result = context.find((m) => m.role === 'tool');
    expect((JSON.parse(result?.content ?? '{}') as { error?: string }).error).toMatch(/^failed: /);
  });
});
