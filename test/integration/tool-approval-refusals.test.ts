import type { SessionCreated, ErrorBody, ValidationDetails } from '../helpers/http';
import type { SessionSnapshot } from '../../src/contract/session';
import type { ApprovalAnswer } from '../../src/contract/tool-approval';
import type { TurnResult } from '../../src/contract/turn';
import { APPROVAL_ENV, approvalPath, approvalScript, waitForPendingApproval } from '../helpers/approval-flow';
import { ALICE, API_KEYS, BOB, caller, type Caller } from '../helpers/session-callers';
import { useScriptedStack } from '../helpers/scripted-stack';

/** Decisions the API refuses: bad edited arguments (422), a second decision (409), unknown call or session of another principal (404). */
describe('tool approval refusals (real Temporal, Redis, SQLite)', () => {
  const s = useScriptedStack(approvalScript, { ...APPROVAL_ENV, API_KEYS });
  let alice: Caller;
  let bob: Caller;
  beforeAll(() => {
    alice = caller(s.stack, ALICE);
    bob = caller(s.stack, BOB);
  });

  /** alice sends `pay <label>`; resolves once its call waits. */
  const startWaitingTurn = async (label: string) => {
    const { session_id } = (await alice<SessionCreated>('POST', '/api/chat/session')).body;
    const reply = alice<TurnResult>('POST', '/api/chat/message', { message: `pay ${label}`, session_id });
    const [pending] = await waitForPendingApproval((p) => alice<SessionSnapshot>('GET', p), session_id);
    return { sessionId: session_id, path: approvalPath(session_id, pending.call_id), reply };
  };

  it("when edited arguments do not match the tool's schema then 422 names the field and the call still waits", async () => {
    const { sessionId, path, reply } = await startWaitingTurn('bad-args');
    const refused = await alice<ErrorBody<ValidationDetails>>('POST', path, { approve: true, arguments: { label: 5 } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('validation_failed');
    expect(refused.body.error.details).toEqual([expect.objectContaining({ field: 'arguments.label' })]);
    expect((await alice<SessionSnapshot>('GET', `/api/chat/session/${sessionId}`)).body.pending_approvals).toHaveLength(
      1,
    );
    expect((await alice('POST', path, { approve: false })).status).toBe(200);
    await reply;
  });

  it('when a call is decided twice then the second decision is 409', async () => {
    const { path, reply } = await startWaitingTurn('twice');
    expect((await alice<ApprovalAnswer>('POST', path, { approve: false })).status).toBe(200);
    const second = await alice<ErrorBody>('POST', path, { approve: true });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('approval_already_decided');
    await reply;
  });

  it('when another principal decides the call then 404 and the call still waits', async () => {
    const { sessionId, path, reply } = await startWaitingTurn('not-yours');
    const refused = await bob<ErrorBody>('POST', path, { approve: true });
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe('session_not_found');
    expect((await alice<SessionSnapshot>('GET', `/api/chat/session/${sessionId}`)).body.pending_approvals).toHaveLength(
      1,
    );
    await alice('POST', path, { approve: false });
    await reply;
  });

  it('when the call id names no waiting call then 404 approval_not_found', async () => {
    const { session_id } = (await alice<SessionCreated>('POST', '/api/chat/session')).body;
    const refused = await alice<ErrorBody>('POST', approvalPath(session_id, 'call_nope'), { approve: true });
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe('approval_not_found');
  });

  it('when the body is not a decision then 422', async () => {
    const { session_id } = (await alice<SessionCreated>('POST', '/api/chat/session')).body;
    const refused = await alice<ErrorBody>('POST', approvalPath(session_id, 'call_x'), { approve: 'yes' });
    expect(refused.status).toBe(422);
  });
});
