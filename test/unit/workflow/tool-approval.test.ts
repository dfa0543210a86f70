import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { SessionEvent } from '../../../src/contract/event-catalog';
import { cancelTurnSignal, decideToolCallUpdate, userMessageSignal } from '../../../src/contract/session-workflow';
import {
  APPROVAL_ALREADY_DECIDED,
  APPROVAL_NOT_FOUND,
  type ApprovalDecision,
} from '../../../src/contract/tool-approval';
import { approvalStubScript, CALCULATOR_PARAMETERS as parameters } from '../../helpers/approval-stub-script';
import { StubActivities } from '../../helpers/stub-activities';
import { waitFor } from '../../helpers/wait-for';
import { useWorkflowTestEnv, userMessage, WAIT_MS, type SessionHandle } from '../../helpers/workflow-test-env';

describe('chatSessionWorkflow tool approval (stub activities)', () => {
  const t = useWorkflowTestEnv(new StubActivities(approvalStubScript));

  const decide = (session: SessionHandle, decision: ApprovalDecision) =>
    session.executeUpdate(decideToolCallUpdate, { args: [decision] });

  /** Starts a turn whose calculator call waits for approval; resolves its turn and call ids once it is pending. */
  const startGated = async (session: SessionHandle, text = 'gated 1+1') => {
    const message = userMessage(text);
    await session.signal(userMessageSignal, message);
    const view = await t.waitForState(session, (v) => (v.pending_approvals ?? []).length > 0);
    return { turnId: message.turn_id, callId: `ask-${message.turn_id}`, view };
  };
  const toolCallsOf = (turnId: string) => t.stubs.calls.calculator.filter((c) => c.turn_id === turnId);
  const resolvedEvents = (session: SessionHandle) =>
    t.stubs.mirrored(session.sessionId).filter((e) => e.type === 'approval_resolved');
  const finalAnswer = async (session: SessionHandle) => {
    const ended = (await t.waitForTurnsEnded(session, 1)).at(-1) as Extract<SessionEvent, { type: 'done' }>;
    return { type: ended.type, data: ended.data, response: ended.data.response };
  };
  const failureTypeOf = async (update: Promise<unknown>) => {
    const err = await update.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    return ((err as WorkflowUpdateFailedError).cause as ApplicationFailure).type;
  };

  it('when a call needs approval then it is pending with its schema, announced, and does not run', async () => {
    const session = await t.startSession();
    const { turnId, callId, view } = await startGated(session);
    expect(view.pending_approvals).toEqual([
      expect.objectContaining({ call_id: callId, turn_id: turnId, tool: 'calculator', step: 1, parameters }),
    ]);
    await waitFor(() => t.stubs.mirrored(session.sessionId).find((e) => e.type === 'approval_required'), {
      timeoutMs: WAIT_MS,
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(toolCallsOf(turnId)).toEqual([]);
  });

  it('when the call is approved then the tool runs and the model gets its result', async () => {
    const session = await t.startSession();
    const { turnId, callId } = await startGated(session);
    const answer = await decide(session, { call_id: callId, approve: true });
    expect(answer).toEqual(
      expect.objectContaining({ outcome: 'approved', arguments_edited: false, tool: 'calculator' }),
    );
    const done = await finalAnswer(session);
    expect(done.type).toBe('done');
    expect(toolCallsOf(turnId).map((c) => c.arguments)).toEqual(['{"expression":"1+1"}']);
    expect(done.response).toContain('result');
    expect(resolvedEvents(session).map((e) => e.data)).toEqual([expect.objectContaining({ outcome: 'approved' })]);
  });

  it('when the call is denied then the tool never runs and the model is told the user declined, with the reason', async () => {
    const session = await t.startSession();
    const { turnId, callId } = await startGated(session);
    await decide(session, { call_id: callId, approve: false, reason: 'not today' });
    const done = await finalAnswer(session);
    expect(done.type).toBe('done');
    expect(toolCallsOf(turnId)).toEqual([]);
    expect(done.response).toContain('declined');
    expect(done.response).toContain('not today');
  });

  it('when the call is approved with edited arguments then the tool runs with them', async () => {
    const session = await t.startSession();
    const { turnId, callId } = await startGated(session);
    const answer = await decide(session, { call_id: callId, approve: true, arguments: '{"expression":"2+2"}' });
    expect(answer.arguments_edited).toBe(true);
    await finalAnswer(session);
    expect(toolCallsOf(turnId).map((c) => c.arguments)).toEqual(['{"expression":"2+2"}']);
  });

  it('when no decision comes before the timeout then the call is denied with reason timeout and a late decision is refused', async () => {
    const session = await t.startSession({ tool_approval_timeout: '1 second' });
    const { turnId, callId } = await startGated(session);
    const done = await finalAnswer(session);
    expect(done.response).toContain('timeout');
    expect(toolCallsOf(turnId)).toEqual([]);
    expect(resolvedEvents(session).map((e) => e.data)).toEqual([expect.objectContaining({ outcome: 'timeout' })]);
    expect(await failureTypeOf(decide(session, { call_id: callId, approve: true }))).toBe(APPROVAL_ALREADY_DECIDED);
  });

  it('when the turn is cancelled while a call waits then the approval resolves as cancelled', async () => {
    const session = await t.startSession();
    const { turnId, callId } = await startGated(session);
    await session.signal(cancelTurnSignal, {});
    const ended = await finalAnswer(session);
    expect(ended.type).toBe('cancelled');
    expect(toolCallsOf(turnId)).toEqual([]);
    expect(resolvedEvents(session).map((e) => e.data)).toEqual([
      expect.objectContaining({ call_id: callId, outcome: 'cancelled' }),
    ]);
    const view = await t.waitForState(session, (v) => v.current_turn === null);
    expect(view.pending_approvals).toEqual([]);
  });

  it('when a step also asks for a call that needs no approval then that call runs while the other waits', async () => {
    const session = await t.startSession();
    const { turnId, callId } = await startGated(session, 'gated and free');
    await waitFor(() => toolCallsOf(turnId).find((c) => c.call_id === `free-${turnId}`), { timeoutMs: WAIT_MS });
    expect(toolCallsOf(turnId).map((c) => c.call_id)).toEqual([`free-${turnId}`]);
    await decide(session, { call_id: callId, approve: true });
    expect((await finalAnswer(session)).type).toBe('done');
  });

  it('when a call is decided twice then the second decision is refused as already decided', async () => {
    const session = await t.startSession();
    const { callId } = await startGated(session);
    await decide(session, { call_id: callId, approve: false });
    expect(await failureTypeOf(decide(session, { call_id: callId, approve: true }))).toBe(APPROVAL_ALREADY_DECIDED);
    await finalAnswer(session);
  });

  it('when a decision names no waiting call then it is refused as not found', async () => {
    const session = await t.startSession();
    expect(await failureTypeOf(decide(session, { call_id: 'nope', approve: true }))).toBe(APPROVAL_NOT_FOUND);
  });
});
