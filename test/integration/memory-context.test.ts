import type { TurnResult } from '../../src/contract/turn';
import type { FakeReply, RecordedRequest } from '../helpers/fake-openai-server';
import type { CancelResult } from '../helpers/http';
import { useScriptedStack } from '../helpers/scripted-stack';
import { ALICE, API_KEYS, BOB, caller } from '../helpers/session-callers';
import { dataOf, readSse } from '../helpers/sse-client';
import { LONG_ANSWER } from '../helpers/slow-or-echo-script';

interface MemoryList {
  memories: Array<{ id: number; content: string }>;
}

const lastUser = (request: RecordedRequest) =>
  [...request.body.messages].reverse().find((m) => m.role === 'user')?.content ?? '';

/** `keep: X` calls remember with X (`slow keep: X`: then answers slowly); anything else is echoed. */
function memoryScript(request: RecordedRequest): FakeReply {
  const user = lastUser(request);
  const messages = request.body.messages;
  if (messages[messages.length - 1].role === 'tool')
    return user.startsWith('slow') ? { content: LONG_ANSWER, chunkDelayMs: 150 } : { content: 'Noted.' };
  const keep = /^(?:slow )?keep: (.+)$/.exec(user);
  if (keep) return { tool_calls: [{ name: 'remember', arguments: JSON.stringify({ content: keep[1] }) }] };
  return { content: `Echo: ${user}` };
}

/** What the model is sent: a principal's memories reach only its own model calls, and only kept ones. */
describe('memories in the model context (real Temporal, Redis, SQLite)', () => {
  const t = useScriptedStack(memoryScript, { API_KEYS });
  const lastRequestText = () => JSON.stringify(t.model.requests[t.model.requests.length - 1].body.messages);

  it("when alice's fact is relevant then her model call gets it as a system note, and bob's never does", async () => {
    const alice = caller(t.stack, ALICE);
    const kept = await alice<TurnResult>('POST', '/api/chat/message', { message: 'keep: my favourite colour is teal' });
    expect(kept.body.tools_used).toEqual(['remember']);

    await alice('POST', '/api/chat/message', { message: 'what is my favourite colour?' });
    const sent = t.model.requests[t.model.requests.length - 1].body.messages;
    expect(sent[1]).toEqual(expect.objectContaining({ role: 'system' }));
    expect(sent[1].content).toContain('my favourite colour is teal');

    await caller(t.stack, BOB)('POST', '/api/chat/message', { message: 'what is my favourite colour?' });
    expect(lastRequestText()).not.toContain('teal');
  });

  it('when the turn that stored a memory is cancelled then the memory is not kept or recalled', async () => {
    let sessionId = '';
    const { events } = await readSse(
      t.stack.url('/api/chat/message/stream'),
      { body: { message: 'slow keep: my locker code is 4711' }, headers: { authorization: `Bearer ${ALICE}` } },
      {
        onEvent: async (e) => {
          if (e.event === 'metadata') sessionId = dataOf(e, 'metadata').session_id;
          if (e.event === 'message' && dataOf(e, 'message').content.startsWith('three')) {
            const cancel = await caller(t.stack, ALICE)<CancelResult>(
              'POST',
              `/api/chat/session/${sessionId}/cancel`,
              {},
            );
            expect(cancel.status).toBe(202);
          }
        },
      },
    );
    expect(events.some((e) => e.event === 'tool_result' && dataOf(e, 'tool_result').name === 'remember')).toBe(true);
    expect(events[events.length - 1].event).toBe('cancelled');

    const alice = caller(t.stack, ALICE);
    const listed = await alice<MemoryList>('GET', '/api/memory');
    expect(listed.body.memories.map((m) => m.content)).not.toContain('my locker code is 4711');
    await alice('POST', '/api/chat/message', { message: 'what is my locker code?' });
    expect(lastRequestText()).not.toContain('4711');
  });
});
