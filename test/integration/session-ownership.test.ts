import type { SessionSnapshot } from '../../src/contract/session';
import { sessionWorkflowId } from '../../src/contract/session-workflow';
import { ChatOwner, ChatTurns } from '../../src/contract/search-attributes';
import type { TurnResult } from '../../src/contract/turn';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server';
import type { ErrorBody, History, SessionCreated, SessionList } from '../helpers/http';
import { ALICE, API_KEYS, BOB, caller, slowOrEchoScript, type Caller } from '../helpers/session-callers';
import { readSse } from '../helpers/sse-client';
import { startTestStack, type TestStack } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

/** Each principal sees and touches only its own sessions; operators see who owns what. */
describe('session ownership (real Temporal, Redis, SQLite)', () => {
  let model: FakeOpenAiServer;
  let stack: TestStack;
  let alice: Caller;
  let bob: Caller;

  beforeAll(async () => {
    model = await startFakeOpenAiServer(slowOrEchoScript);
    stack = await startTestStack({ llmBaseUrl: model.baseUrl, env: { API_KEYS } });
    alice = caller(stack, ALICE);
    bob = caller(stack, BOB);
  });
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
  });

  // First in this file: alice's listing counts every session she has.
  it('when a principal lists its sessions two at a time then they come newest first, paginated, with totals and a title', async () => {
    const first = await alice<TurnResult>('POST', '/api/chat/message', { message: 'first session question' });
    expect(first.status).toBe(200);
    const second = await alice<SessionCreated>('POST', '/api/chat/session');
    const third = await alice<SessionCreated>('POST', '/api/chat/session');
    expect([second.status, third.status]).toEqual([201, 201]);

    const page1 = await alice<SessionList>('GET', '/api/chat/sessions?limit=2');
    expect(page1.status).toBe(200);
    expect(page1.body.sessions.map((s) => s.session_id)).toEqual([third.body.session_id, second.body.session_id]);
    expect(page1.body.next_cursor).toEqual(expect.any(String));
    const page2 = await alice<SessionList>('GET', `/api/chat/sessions?limit=2&cursor=${page1.body.next_cursor}`);
    expect(page2.body.sessions.map((s) => s.session_id)).toEqual([first.body.session_id]);
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
  });

  it('when another principal lists its sessions then only its own are listed', async () => {
    const alices = await alice<SessionCreated>('POST', '/api/chat/session');
    const bobs = await bob<SessionCreated>('POST', '/api/chat/session');
    expect([alices.status, bobs.status]).toEqual([201, 201]);
    const bobList = await bob<SessionList>('GET', '/api/chat/sessions');
    expect(bobList.body.sessions.map((s) => s.session_id)).toEqual([bobs.body.session_id]);
  });

  it('when the page limit or the cursor is invalid then listing answers 422', async () => {
    expect((await alice('GET', '/api/chat/sessions?limit=0')).status).toBe(422);
    expect((await alice('GET', '/api/chat/sessions?cursor=not-a-cursor')).status).toBe(422);
  });

  it('when another principal calls any endpoint of a session then it gets 404 and nothing changes', async () => {
    const mine = await alice<TurnResult>('POST', '/api/chat/message', { message: 'private words' });
    const id = mine.body.session_id;
    const attempts = await Promise.all([
      bob<ErrorBody>('GET', `/api/chat/history/${id}`),
      bob<ErrorBody>('GET', `/api/chat/session/${id}`),
      bob<ErrorBody>('POST', `/api/chat/session/${id}/cancel`, {}),
      bob<ErrorBody>('DELETE', `/api/chat/session/${id}`),
      bob<ErrorBody>('POST', '/api/chat/message', { session_id: id, message: 'let me in' }),
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
      expect(attempt.body?.error.code).toBe('session_not_found');
    }
    // The same answer as for a session that does not exist: nothing leaks.
    const unknown = await bob<ErrorBody>('GET', '/api/chat/history/00000000-0000-4000-8000-000000000000');
    expect(unknown.body.error.message.replace(/[0-9a-f-]{36}/, 'ID')).toBe(
      attempts[0].body?.error.message.replace(/[0-9a-f-]{36}/, 'ID'),
    );

    const history = await alice<History>('GET', `/api/chat/history/${id}`);
    expect(history.body.messages.map((m) => m.content)).toEqual(['private words', 'Echo: private words']);
    const session = await alice<SessionSnapshot>('GET', `/api/chat/session/${id}`);
    expect(session.body).toEqual(expect.objectContaining({ status: 'active', owner: 'alice' }));
  });

  it('when operators look at a session in the Web UI then they see who owns it, its turns and its title', async () => {
    const turn = await alice<TurnResult>('POST', '/api/chat/message', { message: 'What is on the operator screen?' });
    const id = turn.body.session_id;
    const handle = stack.client.workflow.getHandle(sessionWorkflowId(id));
    // Search attributes are recorded with the workflow task that ended the turn, just after the answer.
    const description = await waitFor(async () => {
      const described = await handle.describe();
      return described.typedSearchAttributes.get(ChatTurns) === 1 ? described : undefined;
    });
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
