import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { createKnex, runMigrations } from '../../src/store/knex';

const REPLICAS = 6;

describe('migrations at start of several replicas', () => {
  let dir: string;
  let knexes: Knex[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), 'migrate-race-'));
  });
  afterEach(async () => {
    await Promise.all(knexes.map((k) => k.destroy()));
    knexes = [];
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when several processes migrate a fresh database at once then each waits for the lock and all succeed', async () => {
    const file = path.join(dir, 'chat.sqlite');
    knexes = Array.from({ length: REPLICAS }, () => createKnex(file));
    const results = await Promise.allSettled(knexes.map((k) => runMigrations(k)));
    expect(results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []))).toEqual([]);
    const applied = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    expect(applied.sort()).toEqual(['001-create-chat-history', '002-create-chat-sessions']);
  });
});
