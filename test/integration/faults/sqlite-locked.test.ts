import { spawn } from 'node:child_process';
import path from 'node:path';
import type { TurnResult } from '../../../src/contract/turn';
import { expectArchivedOnce, expectSessionAnswers, useFaultStack } from '../../helpers/fault-stack';
import { postJson } from '../../helpers/http';
import { waitUntil } from '../../helpers/wait-for';

/**
 * Another process (node with the sqlite3 package) holds an EXCLUSIVE transaction on the archive file for
 * 30 s while a turn finishes: the archive write waits (busy timeout, then activity retries) and
 * lands once the lock is released; nothing is lost, nothing is written twice.
 */
jest.setTimeout(150_000);

const LOCK_MS = 30_000;
const faults = useFaultStack((request) => ({
  content: `You said: ${request.body.messages[request.body.messages.length - 1].content}`,
}));

/** Another process: opens the file with the sqlite3 package, takes the lock, commits when its stdin ends. */
const LOCKER = `
const sqlite3 = require('sqlite3');
const db = new sqlite3.Database(process.argv[1]);
db.exec('BEGIN EXCLUSIVE', (err) => {
  if (err) { console.error(err.message); process.exit(1); }
  console.log('locked');
  process.stdin.on('end', () => db.exec('COMMIT', () => db.close(() => process.exit(0))));
  process.stdin.resume();
});`;

/** Holds BEGIN EXCLUSIVE on `file` from another process; resolves once the lock is taken. */
async function lockExclusively(file: string): Promise<{ release(): Promise<void> }> {
  const locker = spawn(process.execPath, ['-e', LOCKER, file], {
    cwd: path.resolve(__dirname, '../../..'),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  locker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  locker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitUntil(
    () => output,
    (text) => text.includes('locked'),
    { what: 'the other process to take the lock' },
  );
  return {
    release: () =>
      new Promise<void>((resolve) => {
        locker.once('exit', () => resolve());
        locker.stdin.end();
      }),
  };
}

describe('fault: the SQLite archive locked by another process', () => {
  it('when the SQLite file is locked by another process for 30 s then the archive waits and the turn is archived once', async () => {
    const { stack } = faults;
    const sessionId = await faults.newSession();
    const lock = await lockExclusively(stack.config.sqliteFilename);
    const lockedUntil = Date.now() + LOCK_MS;
    const reply = postJson<TurnResult>(stack.url('/api/chat/message'), {
      message: 'archive me despite the lock',
      session_id: sessionId,
    });
    await new Promise((r) => setTimeout(r, Math.max(0, lockedUntil - Date.now())));
    await lock.release();

    const { status, body } = await reply;
    expect(status).toBe(200);
    expect(body.status).toBe('completed');
    expect(body.response).toBe('You said: archive me despite the lock');
    await waitUntil(
      () => stack.infra.history.countTurns(body.turn_id),
      (n) => n === 1,
      { timeoutMs: 60_000, what: 'the turn to be archived' },
    );
    await expectArchivedOnce(stack, sessionId, [body.turn_id, (await expectSessionAnswers(stack, sessionId)).turn_id]);
  });
});
