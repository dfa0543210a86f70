import type { SessionView } from '../../src/contract/session';
import { sessionWorkflowId } from '../../src/contract/session-workflow';
import type { TurnResult } from '../../src/contract/turn';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server';
import type { ErrorBody, History, SessionCreated } from '../helpers/http';
import { caller, slowOrEchoScript, startSlowTurn } from '../helpers/session-callers';
import { startTestStack, type TestStack } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

/** A session's token budget, its queue of waiting messages and its idle timeout. */
describe('session limits (real Temporal, Redis, SQLite)', () => {
  let model: FakeOpenAiServer;
  let stack: TestStack;

  beforeAll(async () => {
    model = await startFakeOpenAiServer(slowOrEchoScript);
    stack = await startTestStack({
      llmBaseUrl: model.baseUrl,
      env: { SESSION_MAX_TOKENS: '150', SESSION_MAX_PENDING: '1', SESSION_IDLE_TIMEOUT: '4s' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
  });
  beforeEach(() => model.setScript(slowOrEchoScript));

  it('when a turn comes after the session spent its token budget then it is refused with 402 and no model is called', async () => {
    const anyone = caller(stack);
    const first = await anyone<TurnResult>('POST', '/api/chat/message', {
      message: `spend ${'many '.repeat(120)}tokens`,
    });
    expect(first.status).toBe(200);
    expect(first.body.tokens_used).toBeGreaterThanOrEqual(150);
    const calls = model.requests.length;
    const second = await anyone<ErrorBody>('POST', '/api/chat/message', {
      session_id: first.body.session_id,
      message: 'one more',
    });
    expect(second.status).toBe(402);
    expect(second.body.error.code).toBe('budget_exceeded');
    expect(model.requests.length).toBe(calls);
    const history = await anyone<History>('GET', `/api/chat/history/${first.body.session_id}`);
    expect(history.body.messages.map((m) => m.status).filter(Boolean)).toEqual(['completed', 'failed']);
  });

  it('when a message comes while the queue behind a running turn is full then it gets 429 session_queue_full', async () => {
    const anyone = caller(stack);
    const created = await anyone<SessionCreated>('POST', '/api/chat/session');
    const id = created.body.session_id;
    const { stream } = await startSlowTurn(stack, undefined, id);
    const queued = anyone('POST', '/api/chat/message', { session_id: id, message: 'queued' });
    await waitFor(async () =>
      (await stack.client.workflow.getHandle(sessionWorkflowId(id)).query<SessionView>('state')).pending === 1
        ? true
        : undefined,
    );
    const overflow = await anyone<ErrorBody>('POST', '/api/chat/message', { session_id: id, message: 'one too many' });
    expect(overflow.status).toBe(429);
    expect(overflow.body.error.code).toBe('session_queue_full');
    expect((await queued).status).toBe(200);
    await stream;
  });

  it('when a session gets no message for its idle timeout then it ends itself and says so', async () => {
    const anyone = caller(stack);
    const turn = await anyone<TurnResult>('POST', '/api/chat/message', { message: 'then silence' });
    const id = turn.body.session_id;
    const handle = stack.client.workflow.getHandle(sessionWorkflowId(id));
    await handle.result();
    const row = await stack.infra.sessionRecords.get(id);
    expect(row).toEqual(expect.objectContaining({ status: 'ended', end_reason: 'idle', turns: 1 }));
    const late = await anyone('POST', '/api/chat/message', { session_id: id, message: 'still there?' });
    expect(late.status).toBe(410);
  });
});
