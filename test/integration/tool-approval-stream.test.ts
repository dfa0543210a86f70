import type { SessionCreated } from '../helpers/http';
import { sessionWorkflowId } from '../../src/contract/session-workflow';
import { APPROVAL_ENV, approvalPath, approvalScript } from '../helpers/approval-flow';
import { openSse } from '../helpers/live-sse-client';
import { caller } from '../helpers/session-callers';
import { useScriptedStack } from '../helpers/scripted-stack';
import { dataOf } from '../helpers/sse-client';
import { SIDE_EFFECT_TOOL } from '../helpers/side-effect-tool';
import { waitUntil } from '../helpers/wait-for';

/** What a streaming client and an operator see of a call waiting for approval. */
describe('tool approval on the stream and in Temporal (real Temporal, Redis, SQLite)', () => {
  const s = useScriptedStack(approvalScript, APPROVAL_ENV);

  it('when a streamed turn asks for a call that needs approval then approval_required, then approval_resolved, then the tool result arrive', async () => {
    const api = caller(s.stack);
    const { session_id } = (await api<SessionCreated>('POST', '/api/chat/session')).body;
    const stream = await openSse(s.stack.url('/api/chat/message/stream'), {
      method: 'POST',
      body: { message: 'pay streamed-1', session_id },
    });
    expect(stream.status).toBe(200);
    const required = dataOf(await stream.waitFor((e) => e.event === 'approval_required'), 'approval_required');
    expect(required).toEqual(expect.objectContaining({ tool: SIDE_EFFECT_TOOL, step: 1 }));
    expect(Date.parse(required.expires_at)).toBeGreaterThan(Date.parse(required.requested_at));

    // Operators find the waiting session by its search attribute.
    const query = `ChatAwaitingApproval = true AND WorkflowId = "${sessionWorkflowId(session_id)}"`;
    await waitUntil(
      async () => {
        let found = 0;
        for await (const _ of s.stack.client.workflow.list({ query })) found++;
        return found;
      },
      (found) => found === 1,
      { timeoutMs: 30_000, what: query },
    );

    await api('POST', approvalPath(session_id, required.call_id), { approve: true });
    await stream.ended;
    const names = stream.events.map((e) => e.event);
    const order = ['approval_required', 'approval_resolved', 'tool_result', 'done'].map((n) => names.indexOf(n));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.every((i) => i >= 0)).toBe(true);
    const resolved = dataOf(stream.events[names.indexOf('approval_resolved')], 'approval_resolved');
    expect(resolved).toEqual(expect.objectContaining({ call_id: required.call_id, outcome: 'approved' }));
  });
});
