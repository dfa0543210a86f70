import type { Knex } from 'knex';

/**
 * One row per turn; the unique turn_id means a retried archive never adds a second row.
 * @public applied by the migration source in store/knex.ts
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('chat_history', (table) => {
    table.increments('id').primary();
    table.string('session_id', 100).notNullable().index();
    table.string('turn_id', 100).notNullable().unique();
    table.text('user_message').notNullable();
    table.text('assistant_message');
    table.json('tools_used');
    table.string('model_used', 100);
    table.integer('tokens_used').notNullable().defaultTo(0);
    // double: Knex's float is a 4-byte real on Postgres, too coarse for summed costs (SQLite's REAL is 8 bytes either way).
    table.double('cost').notNullable().defaultTo(0);
    table.dateTime('created_at').notNullable();
    table.json('extra_metadata');
  });
}

/** @public applied by the migration source in store/knex.ts */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('chat_history');
}
