import type { TurnResult } from '../../src/contract/turn';
import type { FakeReply, RecordedRequest } from '../helpers/fake-openai-server';
import { postJson } from '../helpers/http';
import { conformanceClient } from '../helpers/openapi-conformance-client';
import { useScriptedStack } from '../helpers/scripted-stack';

/** `keep: X` calls remember with X; after the tool, "Noted." */
function keep(request: RecordedRequest): FakeReply {
  const messages = request.body.messages;
  const last = messages[messages.length - 1];
  if (last.role === 'tool') return { content: 'Noted.' };
  return { tool_calls: [{ name: 'remember', arguments: JSON.stringify({ content: (last.content ?? '').slice(6) }) }] };
}

interface MemoryList {
  memories: Array<{ id: number }>;
}

/** The memory endpoints answer what the OpenAPI document says, field for field (real stack; scripted model). */
describe('memory API answers match the OpenAPI document (real Temporal, Redis, SQLite)', () => {
  const t = useScriptedStack(keep);

  it('when memories are listed, searched, deleted and forgotten then every answer is documented and fits its schema', async () => {
    const { call } = await conformanceClient(t.stack);
    for (const fact of ['keep: I prefer metric units', 'keep: my cat is called Miso'])
      expect((await postJson<TurnResult>(t.stack.url('/api/chat/message'), { message: fact })).status).toBe(200);

    const listed = await call<MemoryList>('GET', '/api/memory', '/api/memory');
    expect([listed.status, listed.body.memories.length]).toEqual([200, 2]);
    const searched = await call<MemoryList>('GET', '/api/memory?q=metric&limit=5', '/api/memory');
    expect([searched.status, searched.body.memories.length]).toEqual([200, 1]);
    expect((await call('GET', '/api/memory?limit=0', '/api/memory')).status).toBe(422);

    const [first] = listed.body.memories;
    expect((await call('DELETE', `/api/memory/${first.id}`, '/api/memory/{id}')).status).toBe(204);
    expect((await call('DELETE', `/api/memory/${first.id}`, '/api/memory/{id}')).status).toBe(404);
    expect((await call('DELETE', '/api/memory/x', '/api/memory/{id}')).status).toBe(422);
    expect((await call('DELETE', '/api/memory', '/api/memory')).body).toEqual({ deleted: 1 });
  });
});
