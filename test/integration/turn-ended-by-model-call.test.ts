import type { temporal } from '@temporalio/proto';
import { sessionWorkflowId } from '../../src/contract/session-workflow';
import type { TurnResult } from '../../src/contract/turn';
import { getJson, postJson, type History, type SessionCreated } from '../helpers/http';
import { slowOrEcho } from '../helpers/slow-or-echo-script';
import { useScriptedStack } from '../helpers/scripted-stack';
import { waitFor } from '../helpers/wait-for';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/**
 * A turn whose model call answers without tools is archived and published by that call: the
 * workflow learns of it after the client has the answer (issue 17 point 1).
 */
describe('turns ended by their model call (real Temporal, Redis, SQLite)', () => {
  const t = useScriptedStack(slowOrEcho);

  it('when a client sends a reject message as soon as each answer came then every one runs', async () => {
    const created = await postJson<SessionCreated>(t.stack.url('/api/chat/session'), {});
    const sessionId = created.body.session_id;
    for (let i = 1; i <= 5; i++) {
      const reply = await postJson<TurnResult>(t.stack.url('/api/chat/message'), {
        session_id: sessionId,
        message: `message ${i}`,
        double_texting: 'reject',
      });
      expect([i, reply.status, reply.body.response]).toEqual([i, 200, `Echo: message ${i}`]);
    }
    const history = await getJson<History>(t.stack.url(`/api/chat/history/${sessionId}`));
    expect(history.body.messages.filter((m) => m.role === 'assistant').map((m) => m.status)).toEqual(
      Array(5).fill('completed'),
    );
  });

  it('when a plain turn follows another then its history is the signal, two workflow tasks and callModel', async () => {
    const created = await postJson<SessionCreated>(t.stack.url('/api/chat/session'), {});
    const sessionId = created.body.session_id;
    for (const message of ['first', 'second'])
      expect((await postJson(t.stack.url('/api/chat/message'), { session_id: sessionId, message })).status).toBe(200);

    const handle = t.stack.client.workflow.getHandle(sessionWorkflowId(sessionId));
    // The workflow records the turn (and its search attributes) one workflow task after the answer.
    const turn = await waitFor(async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      // From the workflow task completed before the last signal: its task may be scheduled just before it.
      const signal = events.reduce((at, e, i) => (e.workflowExecutionSignaledEventAttributes ? i : at), -1);
      const from = events.slice(0, signal).reduce((at, e, i) => (e.workflowTaskCompletedEventAttributes ? i : at), -1);
      const share = events.slice(from + 1);
      const tasks = share.filter((e) => e.workflowTaskCompletedEventAttributes).length;
      return tasks === 2 ? share : undefined;
    });
    const kinds = (e: HistoryEvent) =>
      e.activityTaskScheduledEventAttributes?.activityType?.name ??
      e.markerRecordedEventAttributes?.markerName ??
      (e.upsertWorkflowSearchAttributesEventAttributes ? 'upsert' : undefined);
    expect(turn.flatMap((e) => kinds(e) ?? [])).toEqual(expect.arrayContaining(['callModel']));
    expect(turn.filter((e) => e.markerRecordedEventAttributes)).toHaveLength(0);
    const upserts = turn.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).length;
    expect(turn).toHaveLength(10 + upserts);
  });
});
