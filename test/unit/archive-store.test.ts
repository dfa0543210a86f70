import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { ArchiveTurnInput } from '../../src/contract/activity-io';
import { ChatHistoryStore } from '../../src/store/chat-history-store';
import { createKnex, runMigrations } from '../../src/store/knex';
import { SessionRecordStore } from '../../src/store/session-record-store';
import { describeEachArchive, type FreshArchive } from '../helpers/archive-backends';

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const SESSION_CREATED = '2026-12-02T10:00:00.000Z';

function turn(sessionId: string, n: number, cost: number): ArchiveTurnInput {
  return {
    result: {
      session_id: sessionId,
      turn_id: crypto.randomUUID(),
      status: 'completed',
      response: `answer ${n}`,
      tools_used: ['calculator'],
      model_used: 'scripted',
      tokens_used: 10 * n,
      prompt_tokens: 6 * n,
      completion_tokens: 4 * n,
      cost,
      steps: 1,
      models_tried: [],
      model_calls: [],
      offline_fallback: false,
      created_at: `2026-12-02T10:0${n}:00.123Z`,
    },
    user_message: `question ${n}`,
    metadata: { source: 'test' },
    session: { owner: 'alice', created_at: SESSION_CREATED, title: 'question 1' },
  };
}

/** The archive's guarantees, the same on SQLite and on Postgres. */
describeEachArchive('the archive stores', (backend) => {
  let archive: FreshArchive;
  let knex: Knex;
  let history: ChatHistoryStore;
  let sessions: SessionRecordStore;

  beforeEach(async () => {
    archive = await backend.fresh();
    knex = createKnex(archive.location);
    await runMigrations(knex);
    history = new ChatHistoryStore(knex);
    sessions = new SessionRecordStore(knex);
  });
  afterEach(async () => {
    await knex.destroy();
    await archive.drop();
  });

  /** What the archive activity does: the row and the session's totals in one transaction. */
  const archiveTurn = (input: ArchiveTurnInput) =>
    sessions.transaction(async (trx) => {
      await history.archiveTurn(input, trx);
      await sessions.refreshTotals(input.result.session_id, input.session, trx);
    });

  it('when a turn is archived twice then it has one row and counts once in the totals', async () => {
    const sessionId = crypto.randomUUID();
    const input = turn(sessionId, 1, 0.000123);

    await archiveTurn(input);
    await archiveTurn(input);

    expect(await history.countTurns(input.result.turn_id)).toBe(1);
    expect(await sessions.get(sessionId)).toMatchObject({ turns: 1, tokens_used: 10 });
  });

  it('when a second row with the same turn_id is inserted directly then the database refuses it', async () => {
    const input = turn(crypto.randomUUID(), 1, 0);
    await history.archiveTurn(input);
    const row = (await knex('chat_history').where({ turn_id: input.result.turn_id }).first()) as Record<
      string,
      unknown
    >;

    await expect(knex('chat_history').insert({ ...row, id: undefined })).rejects.toThrow(/unique/i);
  });

  it('when turns are archived then the totals are their exact sums and the times stay the ISO strings written', async () => {
    const sessionId = crypto.randomUUID();
    await archiveTurn(turn(sessionId, 1, 0.000123456789));
    await archiveTurn(turn(sessionId, 2, 0.000987654321));

    const record = await sessions.get(sessionId);
    expect(record).toMatchObject({
      owner: 'alice',
      status: 'active',
      turns: 2,
      tokens_used: 30,
      created_at: SESSION_CREATED,
      last_activity_at: '2026-12-02T10:02:00.123Z',
    });
    expect(record?.cost).toBeCloseTo(0.00111111111, 14);
  });

  it('when the transaction fails after the row then neither the row nor the totals change', async () => {
    const sessionId = crypto.randomUUID();
    await archiveTurn(turn(sessionId, 1, 0.5));
    const second = turn(sessionId, 2, 0.25);

    await expect(
      sessions.transaction(async (trx) => {
        await history.archiveTurn(second, trx);
        await sessions.refreshTotals(sessionId, second.session, trx);
        throw new Error('worker crashed before commit');
      }),
    ).rejects.toThrow('worker crashed');

    expect(await history.countTurns(second.result.turn_id)).toBe(0);
    expect(await sessions.get(sessionId)).toMatchObject({ turns: 1, tokens_used: 10, cost: 0.5 });
  });

  it('when an archived turn is read back then its lists, metadata and time are as written', async () => {
    const input = turn(crypto.randomUUID(), 3, 0.01);
    await history.archiveTurn(input);

    const [row] = await history.listTurns(input.result.session_id);
    expect(row).toMatchObject({
      tools_used: ['calculator'],
      created_at: '2026-12-02T10:03:00.123Z',
      extra_metadata: expect.objectContaining({ status: 'completed', source: 'test' }) as unknown,
    });
    expect(await history.turnResult(input.result.turn_id)).toEqual(input.result);
  });

  it('when sessions are listed page by page then every one comes once, newest first, across equal times', async () => {
    const times = ['2026-12-01T09:00:00.000Z', '2026-12-01T10:00:00.000Z', '2026-12-01T10:00:00.000Z'];
    const ids = Array.from({ length: 7 }, () => crypto.randomUUID());
    await Promise.all(
      ids.map((id, i) => sessions.ensure(id, { owner: 'bob', title: null, created_at: times[i % times.length] })),
    );
    await sessions.ensure(crypto.randomUUID(), { owner: 'carol', title: null, created_at: times[0] });
    await sessions.markEnded(ids[0], { owner: 'bob', title: null, created_at: times[0] }, times[2], 'idle');

    const seen: Array<[string, string]> = [];
    let cursor: string | undefined;
    do {
      const page = await sessions.list('bob', { limit: 2, cursor });
      seen.push(...page.sessions.map((s): [string, string] => [s.created_at, s.session_id]));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);

    const expected = ids
      .map((id, i): [string, string] => [times[i % times.length], id])
      .sort((a, b) => (a[0] === b[0] ? cmp(b[1], a[1]) : cmp(b[0], a[0])));
    expect(seen).toEqual(expected);
    const ended = await sessions.list('bob', { limit: 10, status: 'ended' });
    expect(ended.sessions.map((s) => [s.session_id, s.ended_at, s.end_reason])).toEqual([[ids[0], times[2], 'idle']]);
  });
});
