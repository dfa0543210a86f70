import { WorkflowExecutionStatusName } from '@temporalio/client';
import { sessionWorkflowId } from '../../src/contract/session-workflow';
import { ChatOwner, ChatSessionStatus, ChatTurns } from '../../src/contract/search-attributes';
import {
  startFakeOpenAiServer,
  type FakeOpenAiServer,
  type FakeReply,
  type RecordedRequest,
} from '../helpers/fake-openai-server';
import { readSse } from '../helpers/sse-client';
import { startTestStack, type TestStack } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

const ALICE = 'sk-alice-0123456789abcdef0123';
const BOB = 'sk-bob-0123456789abcdef012345';
const SLOW = 'a b c d e f g h i j k l m n o p q r s t u v w x y z';

function script(request: RecordedRequest): FakeReply {
  const last = [...request.body.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  return last.startsWith('slow') ? { content: SLOW, chunkDelayMs: 150 } : { content: `Echo: ${last}` };
}

/** JSON request as `key`'s principal. */
function caller(stack: TestStack, key?: string) {
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const response = await fetch(stack.url(path), {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** Starts a slow streamed turn and resolves when its first chunk arrived. */
async function startSlowTurn(
  stack: TestStack,
  key: string | undefined,
  sessionId: string,
): Promise<{ stream: Promise<unknown> }> {
  let running: () => void = () => undefined;
  const started = new Promise<void>((r) => (running = r));
  const stream = readSse(
    stack.url('/api/chat/message/stream'),
    { body: { session_id: sessionId, message: 'slow turn' }, headers: key ? { authorization: `Bearer ${key}` } : {} },
    { onEvent: (e) => (e.event === 'message' ? running() : undefined) },
  );
  await started;
  // Wrapped: an async function returning the promise itself would wait for the whole stream.
  return { stream };
}

describe('session lifecycle and ownership (real Temporal, Redis, SQLite)', () => {
  let model: FakeOpenAiServer;
  let stack: TestStack;
  let alice: ReturnType<typeof caller>;
  let bob: ReturnType<typeof caller>;

  beforeAll(async () => {
    model = await startFakeOpenAiServer(script);
    stack = await startTestStack({ llmBaseUrl: model.baseUrl, env: { API_KEYS: `${ALICE}:alice,${BOB}:bob` } });
    alice = caller(stack, ALICE);
    bob = caller(stack, BOB);
  });
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
  });

  it('lists only the caller’s sessions, newest first, paginated, with totals and a title', async () => {
    const first = await alice('POST', '/api/chat/message', { message: 'first session question' });
    expect(first.status).toBe(200);
    const second = await alice('POST', '/api/chat/session');
    const third = await alice('POST', '/api/chat/session');
    const bobs = await bob('POST', '/api/chat/session');
    expect([second.status, third.status, bobs.status]).toEqual([201, 201, 201]);

    const page1 = await alice('GET', '/api/chat/sessions?limit=2');
    expect(page1.status).toBe(200);
    expect(page1.body.sessions.map((s: { session_id: string }) => s.session_id)).toEqual([
      third.body.session_id,
      second.body.session_id,
    ]);
    expect(page1.body.next_cursor).toEqual(expect.any(String));
    const page2 = await alice('GET', `/api/chat/sessions?limit=2&cursor=${page1.body.next_cursor}`);
    expect(page2.body.sessions.map((s: { session_id: string }) => s.session_id)).toEqual([first.body.session_id]);
    expect(page2.body.next_cursor).toBeNull();
    expect(page2.body.sessions[0]).toEqual(
      expect.objectContaining({
        owner: 'alice',
        status: 'active',
        title: 'first session question',
        turns: 1,
        tokens_used: first.body.tokens_used,
        cost: first.body.cost,
      }),
    );

    const bobList = await bob('GET', '/api/chat/sessions');
    expect(bobList.body.sessions.map((s: { session_id: string }) => s.session_id)).toEqual([bobs.body.session_id]);
    expect((await alice('GET', '/api/chat/sessions?limit=0')).status).toBe(422);
    expect((await alice('GET', '/api/chat/sessions?cursor=not-a-cursor')).status).toBe(422);
  });

  it('answers 404 to another principal on every session endpoint, and changes nothing', async () => {
    const mine = await alice('POST', '/api/chat/message', { message: 'private words' });
    const id = mine.body.session_id as string;
    const attempts = await Promise.all([
      bob('GET', `/api/chat/history/${id}`),
      bob('GET', `/api/chat/session/${id}`),
      bob('POST', `/api/chat/session/${id}/cancel`, {}),
      bob('DELETE', `/api/chat/session/${id}`),
      bob('POST', '/api/chat/message', { session_id: id, message: 'let me in' }),
      readSse(stack.url(`/api/chat/session/${id}/events`), { headers: { authorization: `Bearer ${BOB}` } }).then(
        (r) => ({ status: r.status, body: r.errorBody }),
      ),
      readSse(stack.url('/api/chat/message/stream'), {
        body: { session_id: id, message: 'let me in' },
        headers: { authorization: `Bearer ${BOB}` },
      }).then((r) => ({
        status: r.status,
        body: r.errorBody,
      })),
    ]);
    for (const attempt of attempts) {
      expect(attempt.status).toBe(404);
      expect(attempt.body.error.code).toBe('session_not_found');
    }
    // The same answer as for a session that does not exist: nothing leaks.
    const unknown = await bob('GET', '/api/chat/history/00000000-0000-4000-8000-000000000000');
    expect(unknown.body.error.message.replace(/[0-9a-f-]{36}/, 'ID')).toBe(
      attempts[0].body.error.message.replace(/[0-9a-f-]{36}/, 'ID'),
    );

    const history = await alice('GET', `/api/chat/history/${id}`);
    expect(history.body.messages.map((m: { content: string }) => m.content)).toEqual([
      'private words',
      'Echo: private words',
    ]);
    const session = await alice('GET', `/api/chat/session/${id}`);
    expect(session.body).toEqual(expect.objectContaining({ status: 'active', owner: 'alice' }));
  });

  it('DELETE cancels the running turn, archives it, completes the workflow; later messages get 410', async () => {
    const created = await alice('POST', '/api/chat/session');
    const id = created.body.session_id as string;
    const { stream } = await startSlowTurn(stack, ALICE, id);
    const ended = await alice('DELETE', `/api/chat/session/${id}`);
    expect(ended.status).toBe(200);
    expect(ended.body).toEqual(
      expect.objectContaining({ session_id: id, status: 'ended', end_reason: 'deleted', turns: 1, owner: 'alice' }),
    );
    await stream;

    const handle = stack.client.workflow.getHandle(sessionWorkflowId(id));
    const description = await handle.describe();
    expect(description.status.name).toBe<WorkflowExecutionStatusName>('COMPLETED');
    expect(description.typedSearchAttributes.get(ChatSessionStatus)).toBe('ended');

    const history = await alice('GET', `/api/chat/history/${id}`);
    const answer = history.body.messages[1];
    expect(answer.status).toBe('cancelled');
    expect(SLOW.startsWith(answer.content)).toBe(true);

    const late = await alice('POST', '/api/chat/message', { session_id: id, message: 'hello?' });
    expect(late.status).toBe(410);
    expect(late.body.error.code).toBe('session_ended');
    const again = await alice('DELETE', `/api/chat/session/${id}`);
    expect(again.status).toBe(200);
    expect(again.body.ended_at).toBe(ended.body.ended_at);
    const listed = await alice('GET', '/api/chat/sessions?status=ended');
    expect(listed.body.sessions.map((s: { session_id: string }) => s.session_id)).toContain(id);
    const snapshot = await alice('GET', `/api/chat/session/${id}`);
    expect(snapshot.body.status).toBe('ended');
  });

  it('DELETE with finish_running=true lets the running turn finish first', async () => {
    const created = await alice('POST', '/api/chat/session');
    const id = created.body.session_id as string;
    const { stream } = await startSlowTurn(stack, ALICE, id);
    const ended = await alice('DELETE', `/api/chat/session/${id}?finish_running=true`);
    expect(ended.status).toBe(200);
    await stream;
    const history = await alice('GET', `/api/chat/history/${id}`);
    expect(history.body.messages[1]).toEqual(expect.objectContaining({ status: 'completed', content: SLOW }));
  });

  it('shows operators who owns a session, its turns and title in the Web UI data', async () => {
    const turn = await alice('POST', '/api/chat/message', { message: 'What is on the operator screen?' });
    const id = turn.body.session_id as string;
    const handle = stack.client.workflow.getHandle(sessionWorkflowId(id));
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(ChatOwner)).toBe('alice');
    expect(description.typedSearchAttributes.get(ChatTurns)).toBe(1);
    expect(await description.staticSummary()).toBe('What is on the operator screen?');
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain('Turns: 1');
    expect(metadata.currentDetails).toContain('**User:** What is on the operator screen?');
    expect(metadata.currentDetails).toContain('**Assistant:** Echo: What is on the operator screen?');
    // Visibility (what the Web UI's search box runs) finds it by the custom attributes.
    const found = await waitFor(async () => {
      const ids: string[] = [];
      for await (const wf of stack.client.workflow.list({
        query: `ChatOwner = "alice" AND ChatTurns >= 1 AND WorkflowId = "${sessionWorkflowId(id)}"`,
      }))
        ids.push(wf.workflowId);
      return ids.length > 0 ? ids : undefined;
    });
    expect(found).toEqual([sessionWorkflowId(id)]);
  });
});

describe('session limits (real Temporal, Redis, SQLite)', () => {
  let model: FakeOpenAiServer;
  let stack: TestStack;

  beforeAll(async () => {
    model = await startFakeOpenAiServer(script);
    stack = await startTestStack({
      llmBaseUrl: model.baseUrl,
      env: { SESSION_MAX_TOKENS: '150', SESSION_MAX_PENDING: '1', SESSION_IDLE_TIMEOUT: '4s' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
  });
  beforeEach(() => model.setScript(script));

  it('refuses a turn over the session’s token budget with 402 and calls no model', async () => {
    const anyone = caller(stack);
    const first = await anyone('POST', '/api/chat/message', { message: `spend ${'many '.repeat(120)}tokens` });
    expect(first.status).toBe(200);
    expect(first.body.tokens_used).toBeGreaterThanOrEqual(150);
    const calls = model.requests.length;
    const second = await anyone('POST', '/api/chat/message', {
      session_id: first.body.session_id,
      message: 'one more',
    });
    expect(second.status).toBe(402);
    expect(second.body.error.code).toBe('budget_exceeded');
    expect(model.requests.length).toBe(calls);
    const history = await anyone('GET', `/api/chat/history/${first.body.session_id}`);
    expect(history.body.messages.map((m: { status?: string }) => m.status).filter(Boolean)).toEqual([
      'completed',
      'failed',
    ]);
  });

  it('caps the messages queued behind a running turn (429 session_queue_full)', async () => {
    const anyone = caller(stack);
    const created = await anyone('POST', '/api/chat/session');
    const id = created.body.session_id as string;
    const { stream } = await startSlowTurn(stack, undefined, id);
    const queued = anyone('POST', '/api/chat/message', { session_id: id, message: 'queued' });
    await waitFor(async () =>
      (await stack.client.workflow.getHandle(sessionWorkflowId(id)).query<{ pending: number }>('state')).pending === 1
        ? true
        : undefined,
    );
    const overflow = await anyone('POST', '/api/chat/message', { session_id: id, message: 'one too many' });
    expect(overflow.status).toBe(429);
    expect(overflow.body.error.code).toBe('session_queue_full');
    expect((await queued).status).toBe(200);
    await stream;
  });

  it('an idle session ends itself and says so', async () => {
    const anyone = caller(stack);
    const turn = await anyone('POST', '/api/chat/message', { message: 'then silence' });
    const id = turn.body.session_id as string;
    const handle = stack.client.workflow.getHandle(sessionWorkflowId(id));
    await handle.result();
    const row = await stack.infra.sessionRecords.get(id);
    expect(row).toEqual(expect.objectContaining({ status: 'ended', end_reason: 'idle', turns: 1 }));
    const late = await anyone('POST', '/api/chat/message', { session_id: id, message: 'still there?' });
    expect(late.status).toBe(410);
  });
});
