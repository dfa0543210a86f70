import crypto from 'node:crypto';
import knexFactory, { type Knex } from 'knex';

/** The server the Postgres variants run on (this machine's, trust auth); a database of its own per run. */
const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function adminKnex(url: string): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: url },
    pool: { min: 0, max: 1 },
    acquireConnectionTimeout: 3000,
    // An unreachable server is reported once by global setup, not by Knex's own logging too.
    log: { error: () => undefined },
  });
}

/** The URL of `url`'s server with another database name. */
function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Creates `chat_test_<random>` for this run: its URL, or why there is none (no Postgres reachable),
 * so the Postgres variants can say so in the summary instead of passing silently.
 */
export async function createTestDatabase(): Promise<{ url: string } | { unreachable: string }> {
  const admin = adminKnex(ADMIN_URL);
  try {
    const name = `chat_test_${crypto.randomBytes(4).toString('hex')}`;
    await admin.raw('create database ??', [name]);
    return { url: withDatabase(ADMIN_URL, name) };
  } catch (err) {
    return { unreachable: (err as Error).message || String(err) };
  } finally {
    await admin.destroy();
  }
}

/** Drops the run's database, closing any connection a test left open. */
export async function dropTestDatabase(url: string): Promise<void> {
  const admin = adminKnex(ADMIN_URL);
  try {
    await admin.raw('drop database if exists ?? with (force)', [new URL(url).pathname.slice(1)]);
  } finally {
    await admin.destroy();
  }
}

/**
 * A fresh, empty schema in the run's database and a URL whose connections use it (search_path),
 * so tests and stacks never see each other's tables. `drop` removes it with its tables.
 */
export async function freshPostgresSchema(runUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = adminKnex(runUrl);
  try {
    await admin.raw('create schema ??', [schema]);
  } finally {
    await admin.destroy();
  }
  const u = new URL(runUrl);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: u.toString(),
    drop: async () => {
      const k = adminKnex(runUrl);
      try {
        await k.raw('drop schema if exists ?? cascade', [schema]);
      } finally {
        await k.destroy();
      }
    },
  };
}
