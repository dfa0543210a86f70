import type { Knex } from 'knex';
import { MemoryRecall } from '../../src/memory/memory-recall';
import { MemoryStore, type NewMemory } from '../../src/memory/memory-store';
import { createKnex, runMigrations } from '../../src/store/knex';
import { describeEachArchive, type FreshArchive } from '../helpers/archive-backends';

const AT = '2026-12-03T06:00:00.000Z';
let call = 0;
const fact = (owner: string, content: string, turn = `turn-${owner}`): NewMemory => ({
  owner,
  content,
  session_id: `session-${owner}`,
  turn_id: turn,
  call_id: `call-${++call}`,
  created_at: AT,
});
const options = { auto: true, topK: 5, minScore: 0.3, maxTokens: 300 };

/** The memory store's guarantees (principal scope, settled turns, one row per call), the same on SQLite and Postgres. */
describeEachArchive('the memory store', (backend) => {
  let archive: FreshArchive;
  let knex: Knex;
  let store: MemoryStore;
  let recall: MemoryRecall;

  beforeEach(async () => {
    archive = await backend.fresh();
    knex = createKnex(archive.location);
    await runMigrations(knex);
    store = new MemoryStore(knex);
    recall = new MemoryRecall(store, options);
  });
  afterEach(async () => {
    await knex.destroy();
    await archive.drop();
  });

  async function kept(memory: NewMemory) {
    const stored = await store.add(memory);
    await store.settleTurn(memory.session_id, memory.turn_id, true);
    return stored;
  }

  it('when two principals keep memories then each search, list and recall sees only its own', async () => {
    await kept(fact('alice', 'I prefer metric units'));
    await kept(fact('bob', 'I prefer imperial units'));
    expect((await recall.recall('alice', 'which units do I prefer?')).map((m) => m.content)).toEqual([
      'I prefer metric units',
    ]);
    expect((await store.list('bob', 10)).map((m) => m.content)).toEqual(['I prefer imperial units']);
    expect(await store.list('carol', 10)).toEqual([]);
  });

  it('when another principal deletes a memory by id or forgets everything then the owner keeps it', async () => {
    const memory = await kept(fact('alice', 'my locker is 12'));
    expect(await store.delete('bob', memory.id)).toBe(false);
    expect(await store.deleteAll('bob')).toBe(0);
    expect((await store.list('alice', 10)).map((m) => m.id)).toEqual([memory.id]);
    expect(await store.delete('alice', memory.id)).toBe(true);
    expect(await store.list('alice', 10)).toEqual([]);
  });

  it('when a call is retried then the memory is stored once', async () => {
    const memory = fact('alice', 'tea without sugar');
    const first = await store.add(memory);
    const again = await store.add(memory);
    expect(again.id).toBe(first.id);
    await store.settleTurn(memory.session_id, memory.turn_id, true);
    expect(await store.list('alice', 10)).toHaveLength(1);
  });

  it('when the turn is still running then only that turn recalls its memory', async () => {
    const memory = fact('alice', 'the dentist is on Friday');
    await store.add(memory);
    expect(await recall.recall('alice', 'when is the dentist?')).toEqual([]);
    const ownTurn = await recall.recall('alice', 'when is the dentist?', memory);
    expect(ownTurn.map((m) => m.content)).toEqual(['the dentist is on Friday']);
    expect(await store.list('alice', 10)).toEqual([]);
  });

  it('when the turn that wrote a memory is cancelled then the memory is gone, and settling again changes nothing', async () => {
    const memory = fact('alice', 'the safe code is 4711');
    await store.add(memory);
    await store.settleTurn(memory.session_id, memory.turn_id, false);
    await store.settleTurn(memory.session_id, memory.turn_id, false);
    expect(await recall.recall('alice', 'safe code?', memory)).toEqual([]);
    expect(await store.list('alice', 10)).toEqual([]);
  });

  it('when memories are recalled into a model call then the owner gets one system note after the system prompt', async () => {
    await kept(fact('alice', 'I prefer metric units'));
    const messages = [
      { role: 'system' as const, content: 'You are helpful.' },
      { role: 'user' as const, content: 'What units do I prefer?' },
    ];
    const scope = { session_id: 'session-x', turn_id: 'turn-x' };
    const forAlice = await recall.withRecalledMemories(messages, { ...scope, owner: 'alice' });
    expect(forAlice.map((m) => m.role)).toEqual(['system', 'system', 'user']);
    expect(forAlice[1].content).toContain('- I prefer metric units (memory ');
    expect(await recall.withRecalledMemories(messages, { ...scope, owner: 'bob' })).toEqual(messages);
    expect(await recall.withRecalledMemories(messages, scope)).toEqual(messages);
  });

  it('when automatic recall is turned off then the model call is sent as it is, and the recall tool still finds it', async () => {
    await kept(fact('alice', 'I prefer metric units'));
    const off = new MemoryRecall(store, { ...options, auto: false });
    const messages = [{ role: 'user' as const, content: 'What units do I prefer?' }];
    const scope = { session_id: 'session-x', turn_id: 'turn-x', owner: 'alice' };
    expect(await off.withRecalledMemories(messages, scope)).toEqual(messages);
    expect((await off.recall('alice', 'units')).map((m) => m.content)).toEqual(['I prefer metric units']);
  });
});
