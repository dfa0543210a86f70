import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { createKnex, runMigrations } from '../../src/store/knex';

const REPLICAS = 6;
/** Each round is a fresh database; a race that strands Knex's lock shows up in some rounds, not all. */
const ROUNDS = 8;
/** Far shorter than the production wait: a stranded lock fails the round instead of timing out the test. */
const WAIT_MS = 15_000;

describe('migrations at start of several replicas', () => {
  let dir: string;
  let knexes: Knex[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), 'migrate-race-'));
  });
  afterEach(async () => {
    await Promise.all(knexes.map((k) => k.destroy()));
    knexes = [];
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function migrateAtOnce(file: string): Promise<{ errors: string[]; applied: string[] }> {
    const round = Array.from({ length: REPLICAS }, () => createKnex(file));
    knexes.push(...round);
    const results = await Promise.allSettled(round.map((k) => runMigrations(k, WAIT_MS)));
    return {
      errors: results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : [])),
      applied: results.flatMap((r) => (r.status === 'fulfilled' ? r.value : [])).sort(),
    };
  }

  it('when several processes migrate a fresh database at once then each waits for the lock and all succeed', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const outcome = await migrateAtOnce(path.join(dir, `chat-${round}.sqlite`));
      expect({ round, ...outcome }).toEqual({
        round,
        errors: [],
        applied: ['001-create-chat-history', '002-create-chat-sessions'],
      });
    }
  }, 180_000);

  it('when an earlier race left several rows in the lock table then a start still migrates', async () => {
    const file = path.join(dir, 'chat.sqlite');
    const first = createKnex(file);
    knexes.push(first);
    await first.schema.createTable('knex_migrations_lock', (t) => {
      t.increments('index').primary();
      t.integer('is_locked');
    });
    await first('knex_migrations_lock').insert([{ is_locked: 0 }, { is_locked: 0 }]);

    const applied = await runMigrations(first, 2_000);

    expect(applied).toEqual(['001-create-chat-history', '002-create-chat-sessions']);
    expect(await first('knex_migrations_lock').select('is_locked')).toEqual([{ is_locked: 0 }]);
  });
});
