import type { SessionSettings } from '../../../src/contract/session';
import { endSessionSignal, userMessageSignal } from '../../../src/contract/session-workflow';
import { recordedPatches, scheduledActivities } from '../../helpers/workflow-history';
import { useWorkflowTestEnv, userMessage, type SessionHandle } from '../../helpers/workflow-test-env';

/**
 * HISTORY_BY_REFERENCE=false (`history_by_reference: false` in the session settings): callModel and
 * mirrorSession (approvals, the session's end) get the conversation inline, as before history by reference;
 * a turn's own end is always published inline (finishTurn, a local activity). The stubs refuse every
 * input by reference (and keep it in `refused`), so a session with it on is seen sending references first.
 */
describe('chatSessionWorkflow with history by reference turned off (stub activities)', () => {
  const t = useWorkflowTestEnv();

  /** Runs two turns; resolves once both ended (their final events mirrored). */
  async function twoTurns(settings: Partial<SessionSettings>): Promise<SessionHandle> {
    const session = await t.startSession(settings);
    for (const text of ['first', 'second']) await session.signal(userMessageSignal, userMessage(text));
    await t.waitForTurnsEnded(session, 2);
    return session;
  }

  /** Two turns, then the session's end (mirrored with the snapshot). */
  async function twoTurnsThenEnd(settings: Partial<SessionSettings>): Promise<SessionHandle> {
    const session = await twoTurns(settings);
    await session.signal(endSessionSignal, { reason: 'done' });
    await session.result();
    return session;
  }

  const refusedOf = (sessionId: string) => ({
    callModel: t.stubs.refused.callModel.filter((c) => c.session_id === sessionId).length,
    mirrorSession: t.stubs.refused.mirrorSession.filter((m) => m.snapshot.session_id === sessionId).length,
  });

  it('when history by reference is off then callModel gets the messages inline', async () => {
    const session = await twoTurns({ history_by_reference: false });

    expect(refusedOf(session.sessionId).callModel).toBe(0);
    const second = t.stubs.modelCalls(session.sessionId)[1];
    expect(second.messages.map((m) => m.content)).toEqual([
      'You are a test assistant.',
      'first',
      'Echo: first',
      'second',
    ]);
    expect(second).not.toHaveProperty('turn_messages');
    expect(second).not.toHaveProperty('history_turns');
    // One model call a turn in the history, no by-reference attempt before it; the archive gets no turn messages.
    const scheduled = await scheduledActivities(t.env.client, session.sessionId);
    expect(scheduled.filter((a) => a.type === 'callModel')).toHaveLength(2);
    expect(t.stubs.archived(session.sessionId).map((a) => a.messages)).toEqual([undefined, undefined]);
    // Decided by the setting before the patch: neither marker is recorded (summaries need references).
    const patches = await recordedPatches(t.env.client, session.sessionId);
    expect(patches).not.toContain('history-by-reference');
    expect(patches).not.toContain('conversation-summaries');
  });

  it('when history by reference is off then mirror gets the snapshot messages inline', async () => {
    const session = await twoTurnsThenEnd({ history_by_reference: false });

    expect(refusedOf(session.sessionId).mirrorSession).toBe(0);
    const mirrors = t.stubs.calls.mirrorSession.filter((m) => m.snapshot.session_id === session.sessionId);
    expect(mirrors.every((m) => m.by_reference === undefined)).toBe(true);
    expect(mirrors.at(-1)?.snapshot.messages.map((m) => m.content)).toEqual([
      'first',
      'Echo: first',
      'second',
      'Echo: second',
    ]);
  });

  it('when history by reference is on (the default) then the same session sends references first', async () => {
    const session = await twoTurnsThenEnd({});

    expect(refusedOf(session.sessionId).callModel).toBeGreaterThan(0);
    expect(refusedOf(session.sessionId).mirrorSession).toBeGreaterThan(0);
    expect(await recordedPatches(t.env.client, session.sessionId)).toContain('history-by-reference');
  });
});
