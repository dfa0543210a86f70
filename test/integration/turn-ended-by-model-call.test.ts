import { sessionWorkflowId, stateQuery } from '../../src/contract/session-workflow';
import type { TurnResult } from '../../src/contract/turn';
import { getJson, postJson, type History, type SessionCreated } from '../helpers/http';
import { slowOrEcho } from '../helpers/slow-or-echo-script';
import { useScriptedStack } from '../helpers/scripted-stack';
import { waitFor } from '../helpers/wait-for';

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
    const handle = t.stack.client.workflow.getHandle(sessionWorkflowId(created.body.session_id));
    /** The history's length once the workflow recorded `turns` turns (it does so one workflow task after the answer). */
    const settled = (turns: number) =>
      waitFor(async () => {
        const view = await handle.query(stateQuery);
        if (view.turns !== turns || view.current_turn !== null) return undefined;
        return (await handle.fetchHistory()).events ?? [];
      });
    const send = (message: string) =>
      postJson(t.stack.url('/api/chat/message'), { session_id: created.body.session_id, message });
    expect((await send('first')).status).toBe(200);
    const before = (await settled(1)).length;
    expect((await send('second')).status).toBe(200);
    const turn = (await settled(2)).slice(before);

    expect(turn.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [])).toEqual([
      'callModel',
    ]);
    expect(turn.filter((e) => e.markerRecordedEventAttributes)).toHaveLength(0);
    expect(turn.filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(2);
    // With the Chat* search attributes registered, ChatTurns and ChatLastActivity change every turn: one upsert.
    const upserts = turn.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).length;
    expect(upserts).toBeLessThanOrEqual(1);
    expect(turn).toHaveLength(10 + upserts);
  });
});
