import { decideToolCallUpdate, endSessionSignal, userMessageSignal } from '../../../src/contract/session-workflow';
import { approvalStubScript } from '../../helpers/approval-stub-script';
import { StubActivities } from '../../helpers/stub-activities';
import { waitFor } from '../../helpers/wait-for';
import { useWorkflowTestEnv, userMessage, WAIT_MS, type SessionHandle } from '../../helpers/workflow-test-env';

/** A session that ends, or would continue as new, while a tool call waits for approval. */
describe('chatSessionWorkflow tool approval while ending or long (stub activities)', () => {
  const t = useWorkflowTestEnv(new StubActivities(approvalStubScript));

  const startGated = async (session: SessionHandle, message = userMessage('gated 1+1')) => {
    await session.signal(userMessageSignal, message);
    await t.waitForState(session, (v) => (v.pending_approvals ?? []).length > 0);
    return message.turn_id;
  };
  const resolutions = (session: SessionHandle) =>
    t.stubs.mirrored(session.sessionId).flatMap((e) => (e.type === 'approval_resolved' ? [e.data.outcome] : []));

  it('when the session is deleted while a call waits then the approval resolves as cancelled and the tool never runs', async () => {
    const session = await t.startSession();
    const turnId = await startGated(session);
    await session.signal(endSessionSignal, { cancel_running: true });
    await session.result();
    expect(resolutions(session)).toEqual(['cancelled']);
    expect(t.stubs.calls.calculator.filter((c) => c.turn_id === turnId)).toEqual([]);
  });

  it('when the session is ended letting its turn finish then the waiting call is cancelled and the turn completes', async () => {
    const session = await t.startSession();
    const turnId = await startGated(session);
    await session.signal(endSessionSignal, { cancel_running: false });
    await session.result();
    expect(resolutions(session)).toEqual(['cancelled']);
    const [ended] = await t.waitForTurnsEnded(session, 1);
    expect(ended.type).toBe('done');
    expect(t.stubs.calls.calculator.filter((c) => c.turn_id === turnId)).toEqual([]);
  });

  it('when a call that needs no approval fails out of retries then the waiting call is released as cancelled and the turn fails', async () => {
    const session = await t.startSession();
    const message = userMessage('gated and free');
    t.stubs.failTool(message.turn_id);
    await session.signal(userMessageSignal, message);
    const [ended] = await t.waitForTurnsEnded(session, 1);
    expect(ended.type).toBe('error');
    expect(resolutions(session)).toEqual(['cancelled']);
    expect(t.stubs.calls.calculator.filter((c) => c.call_id === `ask-${message.turn_id}`)).toEqual([]);
  });

  it('when the run becomes due to continue as new while a call waits then the call still waits in that run and the run continues only after the turn', async () => {
    const session = await t.startSession({ continue_as_new_after_turns: 1 });
    const message = userMessage('gated 1+1');
    const turnId = await startGated(session, message);
    // A repeated message is ignored but counts as work: the run is now due to continue as new.
    await session.signal(userMessageSignal, message);
    await new Promise((r) => setTimeout(r, 300));
    const { runId } = await session.describe();
    expect(runId).toBe(session.firstExecutionRunId);

    const callId = `ask-${turnId}`;
    await session.executeUpdate(decideToolCallUpdate, { args: [{ call_id: callId, approve: true }] });
    await t.waitForTurnsEnded(session, 1);
    await waitFor(async () => ((await session.describe()).runId !== session.firstExecutionRunId ? true : undefined), {
      timeoutMs: WAIT_MS,
    });
    expect(t.stubs.modelCallRuns.get(turnId)).toBe(session.firstExecutionRunId);
  });
});
