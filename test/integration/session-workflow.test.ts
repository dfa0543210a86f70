import { randomUUID } from 'node:crypto';
import { sessionWorkflowId, stateQuery, userMessageSignal } from '../../src/contract/session-workflow';
import type { TurnResult, UserMessage } from '../../src/contract/turn';
import { calculatorScript } from '../helpers/fake-openai-server';
import { postJson, type ErrorBody, type SessionCreated } from '../helpers/http';
import { useScriptedStack } from '../helpers/scripted-stack';
import { waitFor } from '../helpers/wait-for';

describe('chatSessionWorkflow on the real dev server', () => {
  const t = useScriptedStack(calculatorScript);

  it('when the same turn_id is signalled twice then the turn runs and is archived once', async () => {
    const created = await postJson<SessionCreated>(t.stack.url('/api/chat/session'), {});
    const sessionId = created.body.session_id;
    const handle = t.stack.client.workflow.getHandle(sessionWorkflowId(sessionId));
    const message: UserMessage = {
      turn_id: randomUUID(),
      text: 'Calculate 6 * 7',
      options: { use_tools: true, temperature: 0.7, max_tokens: 100 },
      received_at: new Date().toISOString(),
    };
    await handle.signal(userMessageSignal, message);
    await handle.signal(userMessageSignal, message);
    const state = await waitFor(async () => {
      const s = await handle.query(stateQuery);
      return s.turns >= 1 && s.current_turn === null && s.pending === 0 ? s : undefined;
    });
    // A later, distinct turn proves the duplicate was not merely still queued.
    await handle.signal(userMessageSignal, { ...message, turn_id: randomUUID(), text: 'hello' });
    const after = await waitFor(async () => {
      const s = await handle.query(stateQuery);
      return s.turns >= 2 && s.current_turn === null ? s : undefined;
    });
    expect(state.turns).toBe(1);
    expect(after.turns).toBe(2);
    expect(await t.stack.infra.history.countTurns(message.turn_id)).toBe(1);
    expect(after.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(['Calculate 6 * 7', 'hello']);
  });

  it('when the model fails without end then the turn fails with a clear error and the session goes on', async () => {
    t.model.setScript([{ status: 401, error: 'Invalid API key' }, { content: 'Recovered.' }]);
    const created = await postJson<SessionCreated>(t.stack.url('/api/chat/session'), {});
    const sessionId = created.body.session_id;
    const failed = await postJson<ErrorBody>(t.stack.url('/api/chat/message'), {
      session_id: sessionId,
      message: 'hi',
    });
    expect(failed.status).toBe(502);
    expect(failed.body.error.code).toBe('turn_failed');
    expect(failed.body.error.message).toMatch(/401/);
    // 401 is not retried: one request, not three.
    expect(t.model.requests).toHaveLength(1);

    const ok = await postJson<TurnResult>(t.stack.url('/api/chat/message'), {
      session_id: sessionId,
      message: 'again',
    });
    expect(ok.status).toBe(200);
    expect(ok.body.response).toBe('Recovered.');
    const rows = await t.stack.infra.history.listTurns(sessionId);
    expect(rows.map((r) => r.extra_metadata.status)).toEqual(['failed', 'completed']);
  });

  it('when the model returns a 500 once then the activity retries and the client sees a reset event', async () => {
    t.model.setScript([{ status: 500, error: 'upstream broke' }, { content: 'Second time lucky.' }]);
    const reply = await postJson<TurnResult>(t.stack.url('/api/chat/message'), { message: 'hi', use_tools: false });
    expect(reply.status).toBe(200);
    expect(reply.body.response).toBe('Second time lucky.');
    expect(t.model.requests).toHaveLength(2);
    const events = (await t.stack.infra.redis.xrange(t.stack.infra.keys.events(reply.body.session_id), '-', '+')).map(
      ([, f]) => f[1],
    );
    expect(events).toContain('reset');
  });
});
