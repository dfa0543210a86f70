import type { Knex } from 'knex';

/**
 * The turn's whole message list (user message, tool exchanges, final answer) as JSON and its number in
 * the session, so a session's window (a range of turn numbers) can be loaded from the archive when
 * Redis lost it (history by reference). Null for turns archived before it.
 * @public applied by the migration source in store/knex.ts
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('chat_history', (table) => {
    table.text('messages');
    table.integer('seq');
    table.index(['session_id', 'seq']);
  });
}

/** @public applied by the migration source in store/knex.ts */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('chat_history', (table) => {
    table.dropIndex(['session_id', 'seq']);
    table.dropColumn('messages');
    table.dropColumn('seq');
  });
}
