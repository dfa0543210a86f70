import { WorkflowExecutionStatusName } from '@temporalio/client';
import type { SessionRecord, SessionSnapshot } from '../../src/contract/session';
import { sessionWorkflowId } from '../../src/contract/session-workflow';
import { ChatSessionStatus } from '../../src/contract/search-attributes';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server';
import type { ErrorBody, History, SessionCreated, SessionList } from '../helpers/http';
import {
  ALICE,
  API_KEYS,
  caller,
  SLOW,
  slowOrEchoScript,
  startSlowTurn,
  type Caller,
} from '../helpers/session-callers';
import { startTestStack, type TestStack } from '../helpers/test-stack';

/** DELETE /api/chat/session/{id} while a turn runs. */
describe('ending a session by DELETE (real Temporal, Redis, SQLite)', () => {
  let model: FakeOpenAiServer;
  let stack: TestStack;
  let alice: Caller;

  beforeAll(async () => {
    model = await startFakeOpenAiServer(slowOrEchoScript);
    stack = await startTestStack({ llmBaseUrl: model.baseUrl, env: { API_KEYS } });
    alice = caller(stack, ALICE);
  });
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
  });

  it('when a session is deleted during a turn then the turn is cancelled and archived, the workflow completes and later messages get 410', async () => {
    const created = await alice<SessionCreated>('POST', '/api/chat/session');
    const id = created.body.session_id;
    const { stream } = await startSlowTurn(stack, ALICE, id);
    const ended = await alice<SessionRecord>('DELETE', `/api/chat/session/${id}`);
    expect(ended.status).toBe(200);
    expect(ended.body).toEqual(
      expect.objectContaining({ session_id: id, status: 'ended', end_reason: 'deleted', turns: 1, owner: 'alice' }),
    );
    await stream;

    const handle = stack.client.workflow.getHandle(sessionWorkflowId(id));
    const description = await handle.describe();
    expect(description.status.name).toBe<WorkflowExecutionStatusName>('COMPLETED');
    expect(description.typedSearchAttributes.get(ChatSessionStatus)).toBe('ended');

    const history = await alice<History>('GET', `/api/chat/history/${id}`);
    const answer = history.body.messages[1];
    expect(answer.status).toBe('cancelled');
    expect(SLOW.startsWith(answer.content)).toBe(true);

    const late = await alice<ErrorBody>('POST', '/api/chat/message', { session_id: id, message: 'hello?' });
    expect(late.status).toBe(410);
    expect(late.body.error.code).toBe('session_ended');
    const again = await alice<SessionRecord>('DELETE', `/api/chat/session/${id}`);
    expect(again.status).toBe(200);
    expect(again.body.ended_at).toBe(ended.body.ended_at);
    const listed = await alice<SessionList>('GET', '/api/chat/sessions?status=ended');
    expect(listed.body.sessions.map((s) => s.session_id)).toContain(id);
    const snapshot = await alice<SessionSnapshot>('GET', `/api/chat/session/${id}`);
    expect(snapshot.body.status).toBe('ended');
  });

  it('when a session is deleted with finish_running=true during a turn then the turn finishes first', async () => {
    const created = await alice<SessionCreated>('POST', '/api/chat/session');
    const id = created.body.session_id;
    const { stream } = await startSlowTurn(stack, ALICE, id);
    const ended = await alice('DELETE', `/api/chat/session/${id}?finish_running=true`);
    expect(ended.status).toBe(200);
    await stream;
    const history = await alice<History>('GET', `/api/chat/history/${id}`);
    expect(history.body.messages[1]).toEqual(expect.objectContaining({ status: 'completed', content: SLOW }));
  });
});
