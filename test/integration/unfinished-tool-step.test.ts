import path from 'node:path';
import { sessionWorkflowId, stateQuery } from '../../src/contract/session-workflow';
import type { TurnResult } from '../../src/contract/turn';
import type { FakeReply, RecordedRequest } from '../helpers/fake-openai-server';
import { postJson, type SessionCreated } from '../helpers/http';
import { SIDE_EFFECT_TOOL } from '../helpers/side-effect-tool';
import { useScriptedStack } from '../helpers/scripted-stack';
import { waitUntil } from '../helpers/wait-for';

const HELD_TOOL_MODULE = path.resolve(__dirname, '../helpers/side-effect-tool.ts');

/** "pay …" calls a tool that holds for 10 s (past the cancel); a tool result is acknowledged; anything else is echoed. */
function payOrEcho(request: RecordedRequest): FakeReply {
  const last = request.body.messages.at(-1);
  if (last?.role === 'tool') return { content: `Tool said: ${last.content}` };
  if (last?.content?.startsWith('pay'))
    return { tool_calls: [{ name: SIDE_EFFECT_TOOL, arguments: JSON.stringify({ label: 'held', hold_ms: 10_000 }) }] };
  return { content: `Echo: ${last?.content}` };
}

/** A tool step cut short must leave a conversation a strict provider (400 on an orphaned tool call) still accepts. */
describe('a tool step that does not finish, with a strict model (real Temporal, Redis, SQLite)', () => {
  const t = useScriptedStack(payOrEcho, { TOOL_MODULES: HELD_TOOL_MODULE });

  it('when a turn is cancelled while its tool runs then the next message in the session answers 200', async () => {
    const created = await postJson<SessionCreated>(t.stack.url('/api/chat/session'), {});
    const sessionId = created.body.session_id;
    const paying = postJson<TurnResult>(t.stack.url('/api/chat/message'), { session_id: sessionId, message: 'pay it' });
    const workflow = t.stack.client.workflow.getHandle(sessionWorkflowId(sessionId));
    await waitUntil(
      () => workflow.query(stateQuery),
      (s) => s.current_turn?.phase === 'tools',
      { timeoutMs: 20_000, what: 'the turn to run its tool' },
    );
    const cancel = await postJson(t.stack.url(`/api/chat/session/${sessionId}/cancel`), {});
    expect(cancel.status).toBe(202);
    expect((await paying).body.status).toBe('cancelled');

    const next = await postJson<TurnResult>(t.stack.url('/api/chat/message'), {
      session_id: sessionId,
      message: 'hello?',
    });
    expect(t.model.requests.filter((r) => r.rejected).map((r) => r.rejected)).toEqual([]);
    expect(next.status).toBe(200);
    expect(next.body.response).toBe('Echo: hello?');
  });
});
