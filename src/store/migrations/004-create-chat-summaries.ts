import type { Knex } from 'knex';

/**
 * One row per summary of a session's older turns (turns 1..through), so summaries survive Redis and
 * show in the archive; a retried write hits the primary key and changes nothing.
 * @public applied by the migration source in store/knex.ts
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('chat_summaries', (table) => {
    table.string('session_id', 100).notNullable();
    table.integer('through').notNullable();
    table.text('text').notNullable();
    table.dateTime('created_at').notNullable();
    table.primary(['session_id', 'through']);
  });
}

/** @public applied by the migration source in store/knex.ts */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('chat_summaries');
}
