import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshPostgresSchema } from './postgres-test-database';

/** A fresh, empty archive database: what createKnex takes, and how to remove it. */
export interface FreshArchive {
  location: string;
  drop: () => Promise<void>;
}

export interface ArchiveBackendUnderTest {
  name: 'sqlite' | 'postgres';
  fresh: () => Promise<FreshArchive>;
}

const sqlite: ArchiveBackendUnderTest = {
  name: 'sqlite',
  fresh: () => {
    const dir = fs.mkdtempSync(path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), 'archive-'));
    return Promise.resolve({
      location: path.join(dir, 'chat.db'),
      drop: () => Promise.resolve(fs.rmSync(dir, { recursive: true, force: true })),
    });
  },
};

/** The run's Postgres database (global setup), or undefined when none was reachable. */
export function testDatabaseUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || undefined;
}

/** Why the Postgres variants are skipped, for their names in the summary. */
export function postgresSkipReason(): string {
  return `Postgres unreachable: ${process.env.TEST_POSTGRES_UNREACHABLE ?? 'TEST_DATABASE_URL not set by global setup'}`;
}

/**
 * Registers `body` once per archive backend: SQLite always, Postgres on the run's test database.
 * With no Postgres reachable the Postgres copy is a `describe.skip` whose name says so, so the
 * summary counts its tests as skipped, never as passed.
 */
export function describeEachArchive(title: string, body: (backend: ArchiveBackendUnderTest) => void): void {
  describe(`${title} [SQLite]`, () => body(sqlite));
  const runUrl = testDatabaseUrl();
  if (!runUrl) {
    describe.skip(`${title} [Postgres] (${postgresSkipReason()})`, () =>
      body({ name: 'postgres', fresh: () => Promise.reject(new Error(postgresSkipReason())) }));
    return;
  }
  describe(`${title} [Postgres]`, () =>
    body({
      name: 'postgres',
      fresh: async () => {
        const schema = await freshPostgresSchema(runUrl);
        return { location: schema.url, drop: schema.drop };
      },
    }));
}
