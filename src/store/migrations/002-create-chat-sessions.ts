import type { Knex } from 'knex';

/**
 * One row per session: who owns it and its totals, so sessions can be listed without asking
 * Temporal. Totals are recomputed from chat_history on every archive, so a retried archive
 * never counts a turn twice.
 * @public applied by the migration source in store/knex.ts
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('chat_sessions', (table) => {
    table.string('session_id', 100).primary();
    table.string('owner', 200).notNullable();
    table.string('title', 200);
    table.string('status', 20).notNullable().defaultTo('active');
    table.dateTime('created_at').notNullable();
    table.dateTime('last_activity_at').notNullable();
    table.dateTime('ended_at');
    table.string('end_reason', 20);
    table.integer('turns').notNullable().defaultTo(0);
    table.integer('tokens_used').notNullable().defaultTo(0);
    // double: Knex's float is a 4-byte real on Postgres, too coarse for summed costs (SQLite's REAL is 8 bytes either way).
    table.double('cost').notNullable().defaultTo(0);
    table.index(['owner', 'created_at']);
  });
}

/** @public applied by the migration source in store/knex.ts */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('chat_sessions');
}
