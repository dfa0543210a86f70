import type { Knex } from 'knex';

/** The migration runs on either backend (knex.ts's backendOfKnex, not imported: knex.ts imports this file). */
const isPostgres = (knex: Knex) => (knex.client as { config?: Knex.Config }).config?.client === 'pg';

/**
 * Long-term memories, one row per remembered fact, owned by a principal. `confirmed` turns true
 * when the turn that wrote the memory is archived as not cancelled: an unconfirmed memory is seen
 * only by its own turn, so a cancelled turn's memories are never recalled. The unique
 * (turn_id, call_id) keeps a retried `remember` call from storing twice.
 *
 * Vector search reads `embedding` (sqlite-vec's vec_distance_cosine on SQLite, in process on Postgres).
 * Keyword search: SQLite gets an FTS5 table (external content, kept in step by triggers) ranked
 * with bm25(); Postgres a generated `simple` tsvector with a GIN index, ranked with ts_rank_cd.
 * @public applied by the migration source in store/knex.ts
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('memories', (table) => {
    table.increments('id').primary();
    table.string('owner', 200).notNullable();
    table.text('content').notNullable();
    table.string('session_id', 100).notNullable();
    table.string('turn_id', 100).notNullable();
    table.string('call_id', 200).notNullable();
    table.boolean('confirmed').notNullable().defaultTo(false);
    table.dateTime('created_at').notNullable();
    // Float32 little-endian, from EMBEDDINGS_MODEL (null until embedded, or without one): vector recall.
    table.binary('embedding');
    table.string('embedding_model', 200);
    table.unique(['turn_id', 'call_id']);
    table.index(['owner', 'created_at']);
    table.index(['session_id', 'turn_id']);
  });
  if (isPostgres(knex)) {
    await knex.raw(
      `alter table memories add column search tsvector generated always as (to_tsvector('simple', content)) stored`,
    );
    await knex.raw('create index memories_search_idx on memories using gin (search)');
    return;
  }
  await knex.raw(
    `create virtual table memories_fts using fts5(content, content='memories', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`,
  );
  await knex.raw(
    `create trigger memories_fts_insert after insert on memories begin
       insert into memories_fts(rowid, content) values (new.id, new.content);
     end`,
  );
  await knex.raw(
    `create trigger memories_fts_delete after delete on memories begin
       insert into memories_fts(memories_fts, rowid, content) values ('delete', old.id, old.content);
     end`,
  );
}

/** @public applied by the migration source in store/knex.ts */
export async function down(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) {
    await knex.raw('drop trigger if exists memories_fts_insert');
    await knex.raw('drop trigger if exists memories_fts_delete');
    await knex.raw('drop table if exists memories_fts');
  }
  await knex.schema.dropTable('memories');
}
