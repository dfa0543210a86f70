import type { TurnResult } from '../../src/contract/turn';
import type { ErrorBody } from '../helpers/http';
import { ALICE, API_KEYS, BOB, caller, type Caller } from '../helpers/session-callers';
import { startTestStack, type TestStack } from '../helpers/test-stack';

/** No key: the built-in offline model remembers, recalls in a new session, and each principal sees only its own. */
jest.setTimeout(120_000);

interface MemoryList {
  memories: Array<{ id: number; content: string; session_id: string; turn_id: string; score?: number }>;
}

let stack: TestStack;
let alice: Caller;
let bob: Caller;

beforeAll(async () => {
  stack = await startTestStack({
    llmBaseUrl: '',
    env: { LLM_BASE_URL: '', LLM_API_KEY: '', LLM_MODEL: '', OFFLINE_MODEL_PORT: '0', API_KEYS },
  });
  alice = caller(stack, ALICE);
  bob = caller(stack, BOB);
});
afterAll(async () => {
  await stack?.stop();
});

const ask = (who: Caller, message: string) => who<TurnResult>('POST', '/api/chat/message', { message });

describe('long-term memory with the offline model (real Temporal, Redis, SQLite)', () => {
  it('when alice asks to remember a fact then remember runs and the memory names its session and turn', async () => {
    const reply = await ask(alice, 'Remember that I prefer metric units.');
    expect(reply.status).toBe(200);
    expect(reply.body.tools_used).toEqual(['remember']);
    expect(reply.body.response).toContain('I will remember that you prefer metric units');
    const listed = await alice<MemoryList>('GET', '/api/memory');
    expect(listed.body.memories).toEqual([
      expect.objectContaining({
        content: 'I prefer metric units',
        session_id: reply.body.session_id,
        turn_id: reply.body.turn_id,
      }),
    ]);
  });

  it('when alice asks in a new session then the answer comes from the recalled memory and says so', async () => {
    const reply = await ask(alice, 'What units do I prefer?');
    expect(reply.body.response).toContain('From what you asked me to remember: you prefer metric units.');
    const found = await alice<MemoryList>('GET', '/api/memory?q=metric');
    expect(found.body.memories.map((m) => m.content)).toEqual(['I prefer metric units']);
  });

  it('when bob asks the same question then his context has no memory of alice', async () => {
    const reply = await ask(bob, 'What units do I prefer?');
    expect(reply.status).toBe(200);
    expect(reply.body.response).not.toContain('remember');
    expect(reply.body.response).not.toContain('metric');
  });

  it("when bob lists, searches or deletes alice's memories then he finds none and deletes none", async () => {
    const [mine] = (await alice<MemoryList>('GET', '/api/memory')).body.memories;
    expect((await bob<MemoryList>('GET', '/api/memory')).body.memories).toEqual([]);
    expect((await bob<MemoryList>('GET', '/api/memory?q=metric units')).body.memories).toEqual([]);
    const one = await bob<ErrorBody>('DELETE', `/api/memory/${mine.id}`);
    expect([one.status, one.body.error.code]).toEqual([404, 'memory_not_found']);
    expect((await bob<{ deleted: number }>('DELETE', '/api/memory')).body).toEqual({ deleted: 0 });
    expect((await alice<MemoryList>('GET', '/api/memory')).body.memories.map((m) => m.id)).toEqual([mine.id]);
  });

  it('when alice deletes her memory then it is no longer recalled', async () => {
    const [mine] = (await alice<MemoryList>('GET', '/api/memory')).body.memories;
    expect((await alice('DELETE', `/api/memory/${mine.id}`)).status).toBe(204);
    expect((await alice<MemoryList>('GET', '/api/memory')).body.memories).toEqual([]);
    const reply = await ask(alice, 'What units do I prefer?');
    expect(reply.body.response).not.toContain('From what you asked me to remember');
  });

  it('when alice forgets everything then every memory of hers is deleted', async () => {
    await ask(alice, 'Remember that my cat is called Miso.');
    await ask(alice, 'Remember that I live in Lyon.');
    expect((await alice<{ deleted: number }>('DELETE', '/api/memory')).body).toEqual({ deleted: 2 });
    expect((await alice<MemoryList>('GET', '/api/memory')).body.memories).toEqual([]);
  });

  it('when a memory id is not a number then the answer is a 422', async () => {
    const bad = await alice<ErrorBody>('DELETE', '/api/memory/abc');
    expect([bad.status, bad.body.error.code]).toEqual([422, 'validation_failed']);
  });
});
