import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import * as createChatHistory from './migrations/001-create-chat-history';
import * as createChatSessions from './migrations/002-create-chat-sessions';

/**
 * Migrations are imported modules, not files found at run time, so they work the same under
 * tsx, ts-jest and a bundled build.
 */
const migrations: Record<string, Knex.Migration> = {
  '001-create-chat-history': createChatHistory,
  '002-create-chat-sessions': createChatSessions,
};

const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: () => Promise.resolve(Object.keys(migrations).sort()),
  getMigrationName: (name) => name,
  getMigration: (name) => Promise.resolve(migrations[name]),
};

export function createKnex(filename: string): Knex {
  if (filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  return knexFactory({
    client: 'sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      // Several connections let history reads run side by side under WAL; writers still take
      // turns on SQLite's lock, waiting through busy_timeout. `:memory:` is per connection, so it keeps one.
      max: filename === ':memory:' ? 1 : 4,
      // WAL lets readers (API) and the writer (worker) in other processes work at once.
      afterCreate: (
        conn: { run: (sql: string, cb: (err: Error | null) => void) => void },
        done: (err: Error | null, conn: unknown) => void,
      ) => {
        conn.run('PRAGMA journal_mode = WAL', (err) => {
          if (err) return done(err, conn);
          conn.run('PRAGMA busy_timeout = 5000', (err2) => done(err2, conn));
        });
      },
    },
  });
}

export async function runMigrations(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}
