import type { temporal } from '@temporalio/proto';
import { sessionWorkflowId } from '../../src/contract/session-workflow';
import { calculatorScript } from '../helpers/fake-openai-server';
import type { SessionSnapshot } from '../../src/contract/session';
import type { ChatHistoryRow } from '../../src/store/chat-history-store';
import type { TurnResult } from '../../src/contract/turn';
import { getJson, parseJson, postJson, type History, type SessionCreated } from '../helpers/http';
import { useScriptedStack } from '../helpers/scripted-stack';
import { waitFor } from '../helpers/wait-for';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** A `chat_history` row as stored: tools_used is JSON text. */
type ArchivedRow = Omit<ChatHistoryRow, 'tools_used'> & { tools_used: string };

/**
 * The whole path, real: HTTP → Koa → Temporal workflow → callModel / calculator activities →
 * SQLite archive and Redis snapshot. Only the model is scripted.
 */
describe('a chat turn end to end', () => {
  const t = useScriptedStack(calculatorScript);

  it('when a user asks to calculate then the calculator runs and every store records the turn', async () => {
    const created = await postJson<SessionCreated>(t.stack.url('/api/chat/session'), {});
    expect(created.status).toBe(201);
    const sessionId = created.body.session_id;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);

    const reply = await postJson<TurnResult>(t.stack.url('/api/chat/message'), {
      session_id: sessionId,
      message: 'Calculate 10 * 20',
    });
    expect(reply.status).toBe(200);
    expect(reply.body.response).toContain('200');
    expect(reply.body.tools_used).toContain('calculator');
    expect(reply.body).toMatchObject({
      session_id: sessionId,
      model_used: 'fake-model',
      status: 'completed',
      steps: 2,
    });
    expect(reply.body.tokens_used).toBeGreaterThan(0);
    expect(reply.body.cost).toBeGreaterThan(0);

    // The model saw the tool's real result on its second call.
    expect(t.model.requests).toHaveLength(2);
    const toolMessage = t.model.requests[1].body.messages.find((m) => m.role === 'tool');
    expect(JSON.parse(toolMessage?.content ?? '{}')).toMatchObject({ result: 200 });

    // SQLite: exactly one archived row for the turn.
    const rows = await t.stack.infra.knex<ArchivedRow>('chat_history').where({ session_id: sessionId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      turn_id: reply.body.turn_id,
      user_message: 'Calculate 10 * 20',
      model_used: 'fake-model',
    });
    expect(parseJson<string[]>(rows[0].tools_used)).toEqual(['calculator']);

    // Redis: the snapshot has the exchange and a TTL.
    const snapshotKey = t.stack.infra.keys.snapshot(sessionId);
    const snapshot = parseJson<SessionSnapshot>((await t.stack.infra.redis.get(snapshotKey)) ?? '{}');
    expect(snapshot).toMatchObject({ session_id: sessionId, status: 'active', turns: 1 });
    expect(snapshot.messages.map((m) => m.content)).toEqual(['Calculate 10 * 20', reply.body.response]);
    expect(await t.stack.infra.redis.ttl(snapshotKey)).toBeGreaterThan(0);

    // Temporal: the workflow's history shows the model and calculator activities; the last model
    // call ended the turn itself (archive, then publish): no local activity follows it. Its completion
    // is recorded just after the answer.
    const handle = t.stack.client.workflow.getHandle(sessionWorkflowId(sessionId));
    const localActivity = (e: HistoryEvent) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity';
    const events = await waitFor(async () => {
      const recorded = (await handle.fetchHistory()).events ?? [];
      return recorded.filter((e) => e.activityTaskCompletedEventAttributes).length === 3 ? recorded : undefined;
    });
    const activityTypes = events
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter((name): name is string => !!name);
    expect(activityTypes).toEqual(['callModel', 'calculator', 'callModel']);
    expect(events.filter(localActivity)).toHaveLength(0);

    // The history endpoint returns the exchange in order.
    const read = await getJson<History>(t.stack.url(`/api/chat/history/${sessionId}`));
    expect(read.status).toBe(200);
    expect(read.body.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(read.body.messages[1].content).toContain('200');
  });

  it('when a message has no session_id then a new session is started and answers', async () => {
    const reply = await postJson<TurnResult>(t.stack.url('/api/chat/message'), {
      message: 'Hello there',
      use_tools: false,
    });
    expect(reply.status).toBe(200);
    expect(reply.body.response).toBe('You said: Hello there');
    expect(reply.body.tools_used).toEqual([]);
    const lastRequest = t.model.requests[t.model.requests.length - 1];
    expect(lastRequest.body.tools).toBeUndefined();
    const described = await t.stack.client.workflow.getHandle(sessionWorkflowId(reply.body.session_id)).describe();
    expect(described.status.name).toBe('RUNNING');
  });

  it('when a second message arrives then the model sees the earlier exchange as context', async () => {
    const first = await postJson<TurnResult>(t.stack.url('/api/chat/message'), {
      message: 'My name is Ada',
      use_tools: false,
    });
    const sessionId = first.body.session_id;
    const second = await postJson(t.stack.url('/api/chat/message'), {
      session_id: sessionId,
      message: 'What is my name?',
      use_tools: false,
    });
    expect(second.status).toBe(200);
    const contents = t.model.requests[t.model.requests.length - 1].body.messages.map((m) => m.content);
    expect(contents).toEqual([
      t.stack.config.SYSTEM_PROMPT,
      'My name is Ada',
      'You said: My name is Ada',
      'What is my name?',
    ]);
  });
});
