import Redis from 'ioredis';
import type { SessionCreated } from '../helpers/http';
import type { SessionSnapshot } from '../../src/contract/session';
import type { ApprovalAnswer } from '../../src/contract/tool-approval';
import type { TurnResult } from '../../src/contract/turn';
import {
  APPROVAL_ENV,
  approvalPath,
  approvalScript,
  sideEffectRuns,
  waitForPendingApproval,
} from '../helpers/approval-flow';
import { caller, type Caller } from '../helpers/session-callers';
import { useScriptedStack } from '../helpers/scripted-stack';
import { SIDE_EFFECT_TOOL } from '../helpers/side-effect-tool';

/** Approving, denying and editing a tool call over HTTP: the side effect happens only after approval. */
describe('tool approval over HTTP (real Temporal, Redis, SQLite)', () => {
  const s = useScriptedStack(approvalScript, APPROVAL_ENV);
  let redis: Redis;
  let api: Caller;
  beforeAll(() => {
    redis = new Redis(process.env.TEST_REDIS_URL as string);
    api = caller(s.stack);
  });
  afterAll(async () => {
    await redis.quit();
  });

  const runs = (label: string) => sideEffectRuns(redis, s.stack.config.REDIS_KEY_PREFIX, label);
  /** Sends `text` in a new session; resolves the pending call once it waits, and the reply to come. */
  const startWaitingTurn = async (text: string, extra: Record<string, unknown> = {}) => {
    const { session_id } = (await api<SessionCreated>('POST', '/api/chat/session')).body;
    const reply = api<TurnResult>('POST', '/api/chat/message', { message: text, session_id, ...extra });
    const [pending] = await waitForPendingApproval((p) => api<SessionSnapshot>('GET', p), session_id);
    return { sessionId: session_id, pending, reply };
  };

  it('when a call that needs approval is approved then the side effect happens only after the approval', async () => {
    const { sessionId, pending, reply } = await startWaitingTurn('pay approve-1');
    expect(pending).toEqual(
      expect.objectContaining({ tool: SIDE_EFFECT_TOOL, arguments: '{"label":"approve-1"}', step: 1 }),
    );
    expect(pending.parameters).toEqual(expect.objectContaining({ type: 'object' }));
    await new Promise((r) => setTimeout(r, 500));
    expect(await runs('approve-1')).toBe(0);

    const decided = await api<ApprovalAnswer>('POST', approvalPath(sessionId, pending.call_id), { approve: true });
    expect(decided.status).toBe(200);
    expect(decided.body).toEqual(
      expect.objectContaining({ call_id: pending.call_id, outcome: 'approved', arguments_edited: false }),
    );
    expect(decided.body.next).toMatch(/runs now/);
    const { status, body } = await reply;
    expect(status).toBe(200);
    expect(body.response).toMatch(/^Tool said: .*"recorded":true/);
    expect(await runs('approve-1')).toBe(1);
    const after = await api<SessionSnapshot>('GET', `/api/chat/session/${sessionId}`);
    expect(after.body.pending_approvals ?? []).toEqual([]);
  });

  it('when a call is denied then the side effect never happens and the model is told the user declined', async () => {
    const { sessionId, pending, reply } = await startWaitingTurn('pay deny-1');
    const decided = await api<ApprovalAnswer>('POST', approvalPath(sessionId, pending.call_id), {
      approve: false,
      reason: 'wrong amount',
    });
    expect(decided.status).toBe(200);
    expect(decided.body.outcome).toBe('denied');
    const { status, body } = await reply;
    expect(status).toBe(200);
    expect(body.response).toMatch(/declined/);
    expect(body.response).toMatch(/wrong amount/);
    expect(await runs('deny-1')).toBe(0);
  });

  it('when a call is approved with edited arguments then the tool runs with them', async () => {
    const { sessionId, pending, reply } = await startWaitingTurn('pay edit-original');
    const decided = await api<ApprovalAnswer>('POST', approvalPath(sessionId, pending.call_id), {
      approve: true,
      arguments: { label: 'edit-changed' },
    });
    expect(decided.status).toBe(200);
    expect(decided.body.arguments_edited).toBe(true);
    expect((await reply).body.response).toMatch(/edit-changed/);
    expect(await runs('edit-changed')).toBe(1);
    expect(await runs('edit-original')).toBe(0);
  });

  it('when a message asks approval=always then even a read-only tool waits for a decision', async () => {
    const { sessionId, pending, reply } = await startWaitingTurn('calc 2+3', { approval: 'always' });
    expect(pending.tool).toBe('calculator');
    await api('POST', approvalPath(sessionId, pending.call_id), { approve: true });
    expect((await reply).body.response).toMatch(/"result":5/);
  });
});
