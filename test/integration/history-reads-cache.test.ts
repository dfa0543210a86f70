import { randomUUID } from 'node:crypto';
import type { TurnResult } from '../../src/contract/turn';
import { parseJson, postJson, type History } from '../helpers/http';
import { useScriptedStack } from '../helpers/scripted-stack';
import { slowOrEcho } from '../helpers/slow-or-echo-script';
import { turnResult } from '../helpers/turn-result';

/**
 * GET /api/chat/history of a hot session answers from the API's cache of the archive's answer while
 * the Redis snapshot shows the archive unchanged (same turn count, no turn being archived); else
 * from the archive. Either way the same JSON (real Temporal, Redis, SQLite).
 */
describe('history reads of hot sessions (real stack)', () => {
  const t = useScriptedStack(slowOrEcho);

  /** The history's JSON text, and how many times the archive was listed to answer it. */
  async function readHistory(sessionId: string): Promise<{ text: string; archiveReads: number }> {
    const listTurns = jest.spyOn(t.stack.infra.history, 'listTurns');
    try {
      const response = await fetch(t.stack.url(`/api/chat/history/${sessionId}`));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      return { text: await response.text(), archiveReads: listTurns.mock.calls.length };
    } finally {
      listTurns.mockRestore();
    }
  }

  async function sessionWithTurns(...messages: string[]): Promise<string> {
    let sessionId: string | undefined;
    for (const message of messages) {
      const turn = await postJson<TurnResult>(t.stack.url('/api/chat/message'), { session_id: sessionId, message });
      expect(turn.status).toBe(200);
      sessionId = turn.body.session_id;
    }
    return sessionId as string;
  }

  it('when a hot session is read again then the answer is the archive answer without reading the archive', async () => {
    const sessionId = await sessionWithTurns('first question', 'second question');
    const fromArchive = await readHistory(sessionId);
    const again = await readHistory(sessionId);

    expect(fromArchive.archiveReads).toBe(1);
    expect(again.archiveReads).toBe(0);
    expect(again.text).toBe(fromArchive.text);
    expect(parseJson<History>(again.text).messages.map((m) => m.content)).toEqual([
      'first question',
      'Echo: first question',
      'second question',
      'Echo: second question',
    ]);
  });

  it('when the snapshot is gone then the history is read from the archive', async () => {
    const sessionId = await sessionWithTurns('kept in the archive');
    const before = await readHistory(sessionId);
    await t.stack.infra.redis.del(t.stack.infra.keys.snapshot(sessionId));

    const after = await readHistory(sessionId);
    expect(after.archiveReads).toBe(1);
    expect(after.text).toBe(before.text);
  });

  it('when the snapshot is older than the archive then the history is read from the archive', async () => {
    const sessionId = await sessionWithTurns('one');
    const snapshotKey = t.stack.infra.keys.snapshot(sessionId);
    const olderSnapshot = (await t.stack.infra.redis.get(snapshotKey)) as string;
    await postJson(t.stack.url('/api/chat/message'), { session_id: sessionId, message: 'two' });
    await readHistory(sessionId);
    await t.stack.infra.redis.set(snapshotKey, olderSnapshot, 'EX', 60);

    const stale = await readHistory(sessionId);
    expect(stale.archiveReads).toBe(1);
    expect(parseJson<History>(stale.text).messages).toHaveLength(4);
  });

  it('when a turn is archived but not yet in the snapshot then the answer holds it', async () => {
    const sessionId = await sessionWithTurns('before the archive moved');
    await readHistory(sessionId);
    expect((await readHistory(sessionId)).archiveReads).toBe(0);

    // What the worker's archiving activity does first at the end of a turn: the marker, then the row, before the snapshot.
    const turnId = randomUUID();
    await t.stack.infra.snapshots.markArchiving(sessionId, turnId);
    await t.stack.infra.history.archiveTurn({
      result: turnResult({ session_id: sessionId, turn_id: turnId }, { response: 'archived, not mirrored' }),
      user_message: 'not mirrored yet',
      metadata: { received_at: new Date().toISOString() },
      session: { owner: 'anonymous', created_at: new Date().toISOString(), title: null },
    });

    const read = await readHistory(sessionId);
    expect(read.archiveReads).toBe(1);
    expect(parseJson<History>(read.text).messages.map((m) => m.content)).toEqual([
      'before the archive moved',
      'Echo: before the archive moved',
      'not mirrored yet',
      'archived, not mirrored',
    ]);
  });
});
