import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryRecall } from '../../src/memory/memory-recall';
import { MemoryStore } from '../../src/memory/memory-store';
import { createKnex, runMigrations } from '../../src/store/knex';
import { elapsedMs, summarize } from '../stats';
import type { Scenario } from './scenario';

/** A fixed vocabulary and a seeded generator: every run stores and asks the same texts. */
const WORDS = Array.from({ length: 2000 }, (_, i) => `w${i.toString(36)}x`);
function generator(seed: number) {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
}

/**
 * g. Recall latency: what one model call's automatic recall costs (keyword search in the SQLite
 * archive's FTS5 index, then ranking, threshold and token cap) with `memoryCount` memories for one
 * principal and as many for another. In process against its own archive file, no stack needed.
 */
export const memoryRecall: Scenario<'memory_recall'> = {
  id: 'memory_recall',
  title: 'g. memory recall',
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
      return {
        backend: 'sqlite' as const,
        memories: sizes.memoryCount,
        other_principal_memories: sizes.memoryCount,
        queries: sizes.recallQueries,
        mean_recalled: Math.round((recalled / Math.max(1, sizes.recallQueries)) * 100) / 100,
        recall_ms: recallMs,
      };
    } finally {
      await knex.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};
