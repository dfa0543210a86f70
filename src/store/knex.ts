import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { types as pgDriverTypes } from 'pg';
import { getLoadablePath } from 'sqlite-vec';
import * as createChatHistory from './migrations/001-create-chat-history';
import * as createChatSessions from './migrations/002-create-chat-sessions';
import * as addTurnMessages from './migrations/003-add-turn-messages';
import * as createChatSummaries from './migrations/004-create-chat-summaries';
import * as createMemories from './migrations/005-create-memories';

/**
 * Migrations are imported modules, not files found at run time, so they work the same under
 * tsx, ts-jest and a bundled build.
 */
const migrations: Record<string, Knex.Migration> = {
  '001-create-chat-history': createChatHistory,
  '002-create-chat-sessions': createChatSessions,
  '003-add-turn-messages': addTurnMessages,
  '004-create-chat-summaries': createChatSummaries,
  '005-create-memories': createMemories,
};

const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: () => Promise.resolve(Object.keys(migrations).sort()),
  getMigrationName: (name) => name,
  getMigration: (name) => Promise.resolve(migrations[name]),
};

/** Where the archive lives: a `postgres://` URL (DATABASE_URL) or else a SQLite file. */
export type ArchiveBackend = 'postgres' | 'sqlite';

export function archiveBackendOf(location: string): ArchiveBackend {
  return /^postgres(ql)?:\/\//i.test(location) ? 'postgres' : 'sqlite';
}

/** The backend a Knex instance talks to (for /health, without its address or password). */
export function backendOfKnex(knex: Knex): ArchiveBackend {
  const client = knex.client as { config?: Knex.Config } | undefined;
  return client?.config?.client === 'pg' ? 'postgres' : 'sqlite';
}

/**
 * pg's parsers for the archive's column types, so rows read the same as on SQLite: timestamps
 * (timestamptz) as the ISO strings the API answers with, JSON columns as their text (the stores
 * parse it themselves). Per connection, not pg's global parsers.
 */
const PG_TIMESTAMPTZ = 1184;
const PG_JSON = 114;
const PG_JSONB = 3802;
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
    const parse = pgDriverTypes.getTypeParser(oid, format);
    if (oid === PG_TIMESTAMPTZ) return (value) => (parse(value) as Date).toISOString();
    if (oid === PG_JSON || oid === PG_JSONB) return (value) => value;
    return parse;
  },
};

export function createKnex(location: string): Knex {
  if (archiveBackendOf(location) === 'postgres') {
    return knexFactory({
      client: 'pg',
      connection: { connectionString: location, types: pgTypes } as Knex.PgConnectionConfig,
      // A migration holds one connection for its advisory lock while Knex migrates on another.
      pool: { min: 0, max: 10 },
    });
  }
  const filename = location;
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
        conn: {
          run: (sql: string, cb: (err: Error | null) => void) => void;
          loadExtension: (path: string, cb: (err: Error | null) => void) => void;
        },
        done: (err: Error | null, conn: unknown) => void,
      ) => {
        conn.run('PRAGMA journal_mode = WAL', (err) => {
          if (err) return done(err, conn);
          conn.run('PRAGMA busy_timeout = 5000', (err2) => {
            if (err2) return done(err2, conn);
            // sqlite-vec for memory vector search; without it (no build for this platform) ranking runs in process.
            const vec = sqliteVecPath();
            if (!vec) return done(null, conn);
            conn.loadExtension(vec, () => done(null, conn));
          });
        });
      },
    },
  });
}

/** The sqlite-vec extension's file, or undefined when the package has no build for this platform. */
function sqliteVecPath(): string | undefined {
  try {
    return getLoadablePath();
  } catch {
    return undefined;
  }
}

/** How long a process waits for another one's migrations before it gives up. */
const MIGRATION_WAIT_MS = 120_000;

/** Postgres: another session creates the same table or its row type at the same moment (duplicate table / object / pg_type key). */
const PG_CONCURRENT_CREATE = new Set(['42P07', '42710', '23505']);

/**
 * Another process is migrating the same database: Knex's lock (or our advisory lock on Postgres)
 * is held, or a replica created Knex's bookkeeping tables between our check and our create, or
 * SQLite is busy.
 */
function isConcurrentMigration(err: unknown): boolean {
  const { name, message, code } = err as Error & { code?: unknown };
  return (
    name === 'MigrationLocked' ||
    /SQLITE_BUSY|SQLITE_LOCKED/.test(message) ||
    /table `?knex_migrations(_lock)?`? already exists/.test(message) ||
    (typeof code === 'string' && PG_CONCURRENT_CREATE.has(code))
  );
}

/**
 * Postgres: one advisory lock (database-wide, any number) serialises the migrating replicas, so
 * Knex's check-then-create of its tables and its lock row never race there. Held by one pooled
 * connection while Knex migrates on others; a replica that cannot take it waits and retries.
 */
const PG_MIGRATION_LOCK_KEY = 716_016;

class MigrationLocked extends Error {
  override name = 'MigrationLocked';
}

/** Knex's pool, by hand: the advisory lock belongs to one connection (a pg session). */
interface PooledClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(conn: unknown): Promise<unknown>;
}

async function underPgMigrationLock<T>(knex: Knex, work: () => Promise<T>): Promise<T> {
  const client = knex.client as PooledClient;
  const conn = await client.acquireConnection();
  try {
    const { rows } = (await knex
      .raw('select pg_try_advisory_lock(?) as locked', [PG_MIGRATION_LOCK_KEY])
      .connection(conn)) as { rows: Array<{ locked: boolean }> };
    if (!rows[0].locked) throw new MigrationLocked('another process is migrating this database');
    try {
      return await work();
    } finally {
      // A connection that cannot unlock is closed instead: the server drops its session's locks,
      // and the pool, finding it ended, opens a new one instead of reusing a lock holder.
      await knex
        .raw('select pg_advisory_unlock(?)', [PG_MIGRATION_LOCK_KEY])
        .connection(conn)
        .catch(() => (conn as { end(): Promise<void> }).end().catch(() => undefined));
    }
  } finally {
    await client.releaseConnection(conn);
  }
}

/** Knex's lock table: one row whose `is_locked` column is the migration lock. */
const LOCK_TABLE = 'knex_migrations_lock';

/**
 * Seeds Knex's lock table with its single row in one statement. Knex checks for the row and
 * inserts it in two steps, so replicas starting together could each insert one; with two rows its
 * lock (`update … where is_locked = 0`, expecting one row) is never taken again and every start
 * fails with MigrationLocked. A database left with several unlocked rows is repaired here too.
 */
async function seedMigrationLock(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasTable(LOCK_TABLE))) {
    // Another replica may create it first: "already exists" is retried by the caller.
    await knex.schema.createTable(LOCK_TABLE, (t) => {
      t.increments('index').primary();
      t.integer('is_locked');
    });
  }
  await knex.raw('insert into ?? (is_locked) select 0 where not exists (select 1 from ??)', [LOCK_TABLE, LOCK_TABLE]);
  await knex.raw(
    'delete from ?? where ?? <> (select min(??) from ??) and not exists (select 1 from ?? where is_locked = 1)',
    [LOCK_TABLE, 'index', 'index', LOCK_TABLE, LOCK_TABLE],
  );
}

/**
 * Applies pending migrations. Every process runs this at start, so replicas on a fresh database
 * race: the losers wait (capped backoff) until the winner is done, then find nothing to apply.
 */
export async function runMigrations(knex: Knex, waitMs = MIGRATION_WAIT_MS): Promise<string[]> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const migrate = async () => {
        await seedMigrationLock(knex);
        const [, applied] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
        return applied;
      };
      return await (backendOfKnex(knex) === 'postgres' ? underPgMigrationLock(knex, migrate) : migrate());
    } catch (err) {
      if (!isConcurrentMigration(err) || Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 1000) * (0.5 + Math.random())));
    }
  }
}
