import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryRecall } from '../../src/memory/memory-recall';
import { MemoryStore } from '../../src/memory/memory-store';
import { createKnex, runMigrations } from '../../src/store/knex';
import type { Knex } from 'knex';
import { vectorToBlob } from '../../src/memory/memory-vectors';
import { elapsedMs, summarize, type Summary } from '../stats';
import type { Scenario } from './scenario';

/** A fixed vocabulary and a seeded generator: every run stores and asks the same texts. */
const WORDS = Array.from({ length: 2000 }, (_, i) => `w${i.toString(36)}x`);
function generator(seed: number) {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
}

/** text-embedding-3-small's size. */
const VECTOR_DIMENSIONS = 1536;

/**
 * The vector half of a hybrid recall: every memory of the principal gets a random vector, then
 * `queries` nearest-vector searches (the /embeddings call of the question is not timed: it is the provider's).
 */
async function vectorSearch(knex: Knex, memories: number, queries: number): Promise<Summary> {
  let state = 7;
  const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31 - 0.5;
  const vector = () => Float32Array.from({ length: VECTOR_DIMENSIONS }, random);
  const store = new MemoryStore(knex);
  const ids = await knex<{ id: number; owner: string }>('memories').where({ owner: 'bench' }).select('id');
  await knex.transaction(async (trx) => {
    for (const { id } of ids.slice(0, memories))
      await trx('memories')
        .where({ id })
        .update({ embedding: vectorToBlob(vector()), embedding_model: 'bench' });
  });
  const samples: number[] = [];
  for (let i = 0; i < queries; i++) {
    const start = process.hrtime.bigint();
    await store.searchByVector('bench', 'bench', vector(), 50);
    samples.push(elapsedMs(start));
  }
  return summarize(samples);
}

/**
 * g. Recall latency: what one model call's automatic recall costs (keyword search in the SQLite
 * archive's FTS5 index, then ranking, threshold and token cap) with `memoryCount` memories for one
 * principal and as many for another. In process against its own archive file, no stack needed.
 */
export const memoryRecall: Scenario<'memory_recall'> = {
  id: 'memory_recall',
  title: 'h. memory recall',
  async run({ sizes, log }) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-memory-'));
    const knex = createKnex(path.join(dir, 'chat.db'));
    try {
      await runMigrations(knex);
      const words = generator(42);
      const createdAt = new Date().toISOString();
      for (const owner of ['bench', 'other']) {
        const rows = Array.from({ length: sizes.memoryCount }, (_, i) => ({
          owner,
          content: `I ${words(10)}`,
          session_id: `session-${owner}`,
          turn_id: `turn-${owner}-${Math.floor(i / 10)}`,
          call_id: `call-${i}`,
          confirmed: true,
          created_at: createdAt,
        }));
        await knex.batchInsert('memories', rows, 500);
      }
      const recall = new MemoryRecall(new MemoryStore(knex), { auto: true, topK: 5, minScore: 0.3, maxTokens: 300 });
      const samples: number[] = [];
      let recalled = 0;
      for (let i = 0; i < sizes.recallQueries; i++) {
        const question = `what do you know about ${words(3)}?`;
        const start = process.hrtime.bigint();
        recalled += (await recall.recall('bench', question)).length;
        samples.push(elapsedMs(start));
      }
      const recallMs = summarize(samples);
      log(`  recall among ${sizes.memoryCount} memories: p50 ${recallMs.p50} ms, p99 ${recallMs.p99} ms`);
      const vectorMs = await vectorSearch(knex, sizes.memoryCount, sizes.recallQueries);
      log(`  vector search (${VECTOR_DIMENSIONS} dims, sqlite-vec): p50 ${vectorMs.p50} ms, p99 ${vectorMs.p99} ms`);
      return {
        backend: 'sqlite' as const,
        memories: sizes.memoryCount,
        other_principal_memories: sizes.memoryCount,
        queries: sizes.recallQueries,
        mean_recalled: Math.round((recalled / Math.max(1, sizes.recallQueries)) * 100) / 100,
        recall_ms: recallMs,
        vector_dimensions: VECTOR_DIMENSIONS,
        vector_search_ms: vectorMs,
      };
    } finally {
      await knex.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
