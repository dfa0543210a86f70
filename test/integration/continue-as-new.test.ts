import path from 'node:path';
import type { SessionSnapshot } from '../../src/contract/session';
import { sessionWorkflowId, stateQuery } from '../../src/contract/session-workflow';
import type { TurnResult } from '../../src/contract/turn';
import { startFakeOpenAiServer, type FakeOpenAiServer, type RecordedRequest } from '../helpers/fake-openai-server';
import { getJson, postJson, type History, type SessionCreated } from '../helpers/http';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-for-tests';
import { startTestStack, type TestStack } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

const echo = (request: RecordedRequest) => ({
  content: `Echo: ${[...request.body.messages].reverse().find((m) => m.role === 'user')?.content}`,
});

async function runsOf(stack: TestStack, workflowId: string): Promise<Array<{ runId: string; status: string }>> {
  const runs: Array<{ runId: string; status: string }> = [];
  for await (const wf of stack.client.workflow.list({ query: `WorkflowId = "${workflowId}"` }))
    runs.push({ runId: wf.runId, status: wf.status.name });
  return runs;
}

/**
 * Long sessions: a Temporal server of its own (dev server, or the cluster under `npm run test:cluster`) with a tiny history limit makes Temporal suggest
 * continue-as-new every few turns; messages sent in bursts must all survive the hand-overs.
 */
describe('continue-as-new keeps long sessions whole', () => {
  let server: TestTemporal;
  let model: FakeOpenAiServer;
  let stack: TestStack;

  beforeAll(async () => {
    server = await startTestTemporal({
      name: `can_${Date.now()}`,
      dir: path.join(process.env.TEST_TMP_DIR as string, `can-${Date.now()}`),
      dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': 60 },
    });
    model = await startFakeOpenAiServer(echo);
    stack = await startTestStack({ llmBaseUrl: model.baseUrl, env: { TEMPORAL_ADDRESS: server.address } });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
    await server?.stop();
  });

  it('when the server suggests it, the session continues as new across several runs and loses no message', async () => {
    const created = await postJson<SessionCreated>(stack.url('/api/chat/session'), {});
    const id = created.body.session_id;
    const texts = Array.from({ length: 24 }, (_, i) => `message ${i + 1}`);
    // Bursts of four: while one turn runs, three wait in the queue and must be carried over.
    for (let i = 0; i < texts.length; i += 4) {
      const burst = texts.slice(i, i + 4);
      const replies = [];
      for (const text of burst)
        replies.push(postJson(stack.url('/api/chat/message'), { session_id: id, message: text }));
      for (const reply of await Promise.all(replies)) expect(reply.status).toBe(200);
    }
    const history = await getJson<History>(stack.url(`/api/chat/history/${id}`));
    const users = history.body.messages.filter((m) => m.role === 'user').map((m) => m.content);
    expect([...users].sort()).toEqual([...texts].sort());
    expect(new Set(history.body.messages.map((m) => m.turn_id)).size).toBe(texts.length);

    const runs = await waitFor(async () => {
      const found = await runsOf(stack, sessionWorkflowId(id));
      return found.length >= 3 ? found : undefined;
    }, 60_000);
    expect(runs.filter((r) => r.status === 'CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(2);
    expect(runs.filter((r) => r.status === 'RUNNING')).toHaveLength(1);

    const state = await stack.client.workflow.getHandle(sessionWorkflowId(id)).query(stateQuery);
    expect(state).toEqual(expect.objectContaining({ turns: texts.length, pending: 0, current_turn: null }));
    // The latest run still remembers the conversation: the model saw earlier turns.
    const lastCall = model.requests[model.requests.length - 1];
    expect(lastCall.body.messages.filter((m) => m.role === 'user').length).toBeGreaterThan(1);
  }, 240_000);
});

describe('continue-as-new on a turn count', () => {
  let model: FakeOpenAiServer;
  let stack: TestStack;

  beforeAll(async () => {
    model = await startFakeOpenAiServer(echo);
    stack = await startTestStack({ llmBaseUrl: model.baseUrl, env: { SESSION_CONTINUE_AS_NEW_TURNS: '2' } });
  });
  afterAll(async () => {
    await stack?.stop();
    await model?.close();
  });

  it('when a session reaches SESSION_CONTINUE_AS_NEW_TURNS turns then a new run starts, carrying totals and memory', async () => {
    const first = await postJson<TurnResult>(stack.url('/api/chat/message'), { message: 'turn 1' });
    const id = first.body.session_id;
    for (const text of ['turn 2', 'turn 3', 'turn 4', 'turn 5']) {
      expect((await postJson(stack.url('/api/chat/message'), { session_id: id, message: text })).status).toBe(200);
    }
    const runs = await waitFor(async () => {
      const found = await runsOf(stack, sessionWorkflowId(id));
      return found.length >= 3 ? found : undefined;
    }, 60_000);
    expect(runs.filter((r) => r.status === 'CONTINUED_AS_NEW')).toHaveLength(2);
    const session = await getJson<SessionSnapshot>(stack.url(`/api/chat/session/${id}`));
    expect(session.body.turns).toBe(5);
    const lastCall = model.requests[model.requests.length - 1];
    expect(lastCall.body.messages.map((m) => m.content)).toEqual(
      expect.arrayContaining(['turn 1', 'Echo: turn 1', 'turn 5']),
    );
  });
});
