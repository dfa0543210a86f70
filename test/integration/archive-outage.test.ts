import { randomUUID } from 'node:crypto';
import sqlite3 from 'sqlite3';
import { getJson, postJson, type ErrorBody, type SessionCreated } from '../helpers/http';
import { useScriptedStack } from '../helpers/scripted-stack';
import { slowOrEcho } from '../helpers/slow-or-echo-script';

const t = useScriptedStack(slowOrEcho);

/** Another process's write lock on the archive file: writers wait through busy_timeout, then fail SQLITE_BUSY. */
function lockArchive(filename: string): Promise<{ release(): Promise<void> }> {
  const db = new sqlite3.Database(filename);
  const run = (sql: string) =>
    new Promise<void>((resolve, reject) => db.run(sql, (err) => (err ? reject(err) : resolve())));
  return run('BEGIN IMMEDIATE').then(() => ({
    release: () => run('COMMIT').then(() => new Promise<void>((resolve) => db.close(() => resolve()))),
  }));
}

describe('archive outage at the API', () => {
  it('when the archive stays locked then starting a session answers 503 naming the archive, and a keyed retry afterwards gets the session', async () => {
    const key = randomUUID();
    const lock = await lockArchive(t.stack.config.sqliteFilename);
    let locked;
    try {
      locked = await postJson<ErrorBody<{ dependency: string }>>(
        t.stack.url('/api/chat/session'),
        {},
        { 'Idempotency-Key': key },
      );
    } finally {
      await lock.release();
    }
    expect(locked.status).toBe(503);
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(locked.body.error).toMatchObject({ code: 'dependency_unavailable', details: { dependency: 'archive' } });

    const retry = await postJson<SessionCreated>(t.stack.url('/api/chat/session'), {}, { 'Idempotency-Key': key });
    expect(retry.status).toBe(201);
    expect((await getJson(t.stack.url(`/api/chat/session/${retry.body.session_id}`))).status).toBe(200);
  });
});
