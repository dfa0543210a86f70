import type { SessionSettings } from '../../../src/contract/session';
import { userMessageSignal } from '../../../src/contract/session-workflow';
import { recordedPatches, scheduledActivities } from '../../helpers/workflow-history';
import { useWorkflowTestEnv, userMessage, type SessionHandle } from '../../helpers/workflow-test-env';

/**
 * CONVERSATION_SUMMARIES_ENABLED=false (`conversation_summaries: false` in the session settings):
 * turns that leave the window are dropped, as before summaries existed. A window of 4 messages
 * holds 2 turns, so after turn 3 turns 1-2 are due for a summary when summaries are on.
 */
describe('chatSessionWorkflow with summaries turned off (stub activities)', () => {
  const t = useWorkflowTestEnv();

  /** Runs turns one..four in a session with a 2-turn window; resolves once the fourth turn ran. */
  async function fourTurns(settings: Partial<SessionSettings>): Promise<SessionHandle> {
    const session = await t.startSession({ history_window_messages: 4, ...settings });
    for (const text of ['one', 'two', 'three', 'four']) await session.signal(userMessageSignal, userMessage(text));
    // The summary due after turn 3 is made before turn 4 runs.
    await t.waitForState(session, (s) => s.turns === 4 && s.current_turn === null);
    return session;
  }

  const summariesOf = (sessionId: string) =>
    t.stubs.calls.summarizeConversation.filter((c) => c.session_id === sessionId);
  const lastContext = (sessionId: string) =>
    t.stubs
      .modelCalls(sessionId)
      .at(-1)
      ?.messages.map((m) => m.content);

  it('when summaries are turned off then no summary activity runs and old turns leave the window', async () => {
    const session = await fourTurns({ conversation_summaries: false });

    expect(summariesOf(session.sessionId)).toEqual([]);
    const scheduled = await scheduledActivities(t.env.client, session.sessionId);
    expect(scheduled.map((a) => a.type)).not.toContain('summarizeConversation');
    expect((await t.waitForState(session, () => true)).summary).toBeUndefined();
    // Turn 4's model saw the last two turns and nothing of turn 1, not even a summary.
    expect(lastContext(session.sessionId)).toEqual([
      'You are a test assistant.',
      'two',
      'Echo: two',
      'three',
      'Echo: three',
      'four',
    ]);
    // Decided by the setting before the patch: the history records no summaries marker.
    const patches = await recordedPatches(t.env.client, session.sessionId);
    expect(patches).toContain('history-by-reference');
    expect(patches).not.toContain('conversation-summaries');
  });

  it('when summaries are on (the default) then the same session summarises turns 1-2 and its note leads turn 4', async () => {
    const session = await fourTurns({});

    expect(summariesOf(session.sessionId).map((c) => c.range)).toContainEqual({ from: 1, to: 2 });
    expect(lastContext(session.sessionId)?.[1]).toBe(
      'Summary of the earlier conversation (turns 1-2):\nstub summary of turns 1-2',
    );
    expect(await recordedPatches(t.env.client, session.sessionId)).toContain('conversation-summaries');
  });
});
