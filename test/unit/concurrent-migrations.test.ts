import type { Knex } from 'knex';
import { createKnex, runMigrations } from '../../src/store/knex';
import { describeEachArchive, type FreshArchive } from '../helpers/archive-backends';

const REPLICAS = 6;
/** Each round is a fresh database; a race that strands Knex's lock shows up in some rounds, not all. */
const ROUNDS = 8;
/** Far shorter than the production wait: a stranded lock fails the round instead of timing out the test. */
const WAIT_MS = 15_000;

describeEachArchive('migrations at start of several replicas', (backend) => {
  let knexes: Knex[] = [];
  let archives: FreshArchive[] = [];

  async function freshArchive(): Promise<string> {
    const archive = await backend.fresh();
    archives.push(archive);
    return archive.location;
  }

  afterEach(async () => {
    await Promise.all(knexes.map((k) => k.destroy()));
    await Promise.all(archives.map((a) => a.drop()));
    knexes = [];
    archives = [];
  });

  async function migrateAtOnce(location: string): Promise<{ errors: string[]; applied: string[] }> {
    const round = Array.from({ length: REPLICAS }, () => createKnex(location));
    knexes.push(...round);
    const results = await Promise.allSettled(round.map((k) => runMigrations(k, WAIT_MS)));
    // Each round's pools closed before the next: eight rounds of six open pools could exhaust Postgres's max_connections.
    await Promise.all(round.map((k) => k.destroy()));
    knexes = knexes.filter((k) => !round.includes(k));
    return {
      errors: results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : [])),
      applied: results.flatMap((r) => (r.status === 'fulfilled' ? r.value : [])).sort(),
    };
  }

  it('when several processes migrate a fresh database at once then each waits for the lock and all succeed', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const outcome = await migrateAtOnce(await freshArchive());
      expect({ round, ...outcome }).toEqual({
        round,
        errors: [],
        applied: [
          '001-create-chat-history',
          '002-create-chat-sessions',
          '003-add-turn-messages',
          '004-create-chat-summaries',
          '005-create-memories',
        ],
      });
    }
  }, 180_000);

  it('when an earlier race left several rows in the lock table then a start still migrates', async () => {
    const first = createKnex(await freshArchive());
    knexes.push(first);
    await first.schema.createTable('knex_migrations_lock', (t) => {
      t.increments('index').primary();
      t.integer('is_locked');
    });
    await first('knex_migrations_lock').insert([{ is_locked: 0 }, { is_locked: 0 }]);

    const applied = await runMigrations(first, 2_000);

    expect(applied).toEqual([
      '001-create-chat-history',
      '002-create-chat-sessions',
      '003-add-turn-messages',
      '004-create-chat-summaries',
      '005-create-memories',
    ]);
    expect(await first('knex_migrations_lock').select('is_locked')).toEqual([{ is_locked: 0 }]);
  });
});
