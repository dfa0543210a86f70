import type { TurnResult } from '../../src/contract/turn';
import type { FakeReply, RecordedRequest } from '../helpers/fake-openai-server';
import { postJson } from '../helpers/http';
import { useScriptedStack } from '../helpers/scripted-stack';

const lastUser = (request: RecordedRequest) =>
  [...request.body.messages].reverse().find((m) => m.role === 'user')?.content ?? '';

/** `keep: X` calls remember with X; anything else is echoed. */
function keepOrEcho(request: RecordedRequest): FakeReply {
  const user = lastUser(request);
  const messages = request.body.messages;
  if (messages[messages.length - 1].role === 'tool') return { content: 'Noted.' };
  const keep = /^keep: (.+)$/.exec(user);
  if (keep) return { tool_calls: [{ name: 'remember', arguments: JSON.stringify({ content: keep[1] }) }] };
  return { content: `Echo: ${user}` };
}

/** With EMBEDDINGS_MODEL the worker embeds memories and questions through the provider's /embeddings. */
describe('memory recall by embeddings (real Temporal, Redis, SQLite with sqlite-vec)', () => {
  const t = useScriptedStack(keepOrEcho, { EMBEDDINGS_MODEL: 'fake-embed' });

  it('when a question shares no keyword with a memory but its meaning then the memory is recalled into the call', async () => {
    const kept = await postJson<TurnResult>(t.stack.url('/api/chat/message'), {
      message: 'keep: my favourite colour is teal',
    });
    expect(kept.body.tools_used).toEqual(['remember']);
    expect(t.model.embeddingCalls).toContainEqual(['my favourite colour is teal']);

    await postJson(t.stack.url('/api/chat/message'), { message: 'which hue do I like best?' });
    const sent = t.model.requests[t.model.requests.length - 1].body.messages;
    expect(sent[1].role).toBe('system');
    expect(sent[1].content).toContain('my favourite colour is teal');
  });
});
