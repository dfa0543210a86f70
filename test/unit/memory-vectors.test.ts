import type { Knex } from 'knex';
import { EmbeddingsClient } from '../../src/llm/embeddings-client';
import { MemoryRecall } from '../../src/memory/memory-recall';
import { MemoryStore, type NewMemory } from '../../src/memory/memory-store';
import { createKnex, runMigrations } from '../../src/store/knex';
import { describeEachArchive, type FreshArchive } from '../helpers/archive-backends';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server';

let call = 0;
const fact = (owner: string, content: string): NewMemory => ({
  owner,
  content,
  session_id: `session-${owner}`,
  turn_id: `turn-${owner}`,
  call_id: `call-${++call}`,
  created_at: '2026-12-03T06:00:00.000Z',
});
const options = { auto: true, topK: 5, minScore: 0.3, maxTokens: 300 };

/**
 * Vector recall with EMBEDDINGS_MODEL: the scripted model server answers /embeddings
 * (test/helpers/fake-embeddings.ts: "hue" and "colour" are one concept, "like" and "favourite" another).
 * SQLite ranks with sqlite-vec, Postgres in process.
 */
describeEachArchive('memory vector recall', (backend) => {
  let archive: FreshArchive;
  let knex: Knex;
  let model: FakeOpenAiServer;
  let store: MemoryStore;
  let recall: MemoryRecall;
  const errors: unknown[] = [];

  beforeAll(async () => {
    model = await startFakeOpenAiServer([]);
  });
  afterAll(() => model.close());
  beforeEach(async () => {
    archive = await backend.fresh();
    knex = createKnex(archive.location);
    await runMigrations(knex);
    store = new MemoryStore(knex);
    const client = new EmbeddingsClient(model.baseUrl, 'test-key', 'fake-embed', 5000);
    recall = new MemoryRecall(store, options, { client, onError: (err) => errors.push(err) });
  });
  afterEach(async () => {
    await knex.destroy();
    await archive.drop();
  });

  async function kept(memory: NewMemory) {
    const stored = await store.add(memory);
    await recall.index(stored);
    await store.settleTurn(memory.session_id, memory.turn_id, true);
    return stored;
  }

  it('when a question shares no keyword with a memory but its meaning then the vector finds it', async () => {
    await kept(fact('alice', 'my favourite colour is teal'));
    await kept(fact('alice', 'the dentist is on Friday'));
    const recalled = await recall.recall('alice', 'which hue do I like best?');
    expect(recalled.map((m) => m.content)).toEqual(['my favourite colour is teal']);
    expect(recalled[0].score).toBeGreaterThanOrEqual(options.minScore);
    expect(errors).toEqual([]);
  });

  it("when another principal asks the same then alice's vectors are not searched", async () => {
    await kept(fact('alice', 'my favourite colour is teal'));
    expect(await recall.recall('bob', 'which hue do I like best?')).toEqual([]);
  });

  it('when the vectors come from another embedding model then they are left out', async () => {
    const memory = await kept(fact('alice', 'my favourite colour is teal'));
    const other = await store.searchByVector('alice', 'another-model', new Float32Array(64).fill(0.1), 5);
    expect(other).toEqual([]);
    const same = await store.searchByVector('alice', 'fake-embed', new Float32Array(64).fill(0.1), 5);
    expect(same.map((m) => m.id)).toEqual([memory.id]);
  });
});
