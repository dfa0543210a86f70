import type { Knex } from 'knex';
import type { SessionEndReason, SessionRecord, SessionRecordSeed } from '../contract/session';

export interface SessionPage {
  sessions: SessionRecord[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

/** Opaque page cursor: the last row's (created_at, session_id), base64url. */
function encodeCursor(row: SessionRecord): string {
  return Buffer.from(JSON.stringify([row.created_at, row.session_id])).toString('base64url');
}

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string'))
      return value as [string, string];
  } catch {
    // Falls through to the error below.
  }
  throw new InvalidCursorError('cursor is not one this API issued');
}

/**
 * The `chat_sessions` table: written by the API when a session starts (owner) and by the
 * worker's archive activity (totals) and end activity. Every write is an idempotent upsert.
 */
export class SessionRecordStore {
  constructor(private readonly knex: Knex) {}

  /** Creates the row if it is missing; never changes an existing row's owner. */
  async ensure(sessionId: string, seed: SessionRecordSeed, db: Knex | Knex.Transaction = this.knex): Promise<void> {
    await db('chat_sessions')
      .insert({
        session_id: sessionId,
        owner: seed.owner,
        title: seed.title,
        status: 'active',
        created_at: seed.created_at,
        last_activity_at: seed.created_at,
      })
      .onConflict('session_id')
      .ignore();
  }

  /** Recomputes totals from the archive in one statement, so running it twice for one turn changes nothing. */
  async refreshTotals(
    sessionId: string,
    seed: SessionRecordSeed,
    db: Knex | Knex.Transaction = this.knex,
  ): Promise<void> {
    await this.ensure(sessionId, seed, db);
    const ofSession = (expression: string) =>
      db.raw(`(select ${expression} from chat_history where session_id = ?)`, [sessionId]);
    await db('chat_sessions')
      .where({ session_id: sessionId })
      .update({
        turns: ofSession('count(*)'),
        tokens_used: ofSession('coalesce(sum(tokens_used), 0)'),
        cost: ofSession('coalesce(sum(cost), 0)'),
        last_activity_at: db.raw(
          'coalesce((select max(created_at) from chat_history where session_id = ?), last_activity_at)',
          [sessionId],
        ),
        title: db.raw('coalesce(title, ?)', [seed.title]),
      });
  }

  /** Runs `work` in one transaction: one commit (one fsync) for a turn's row and its session's totals. */
  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.knex.transaction(work);
  }

  async markEnded(
    sessionId: string,
    seed: SessionRecordSeed,
    endedAt: string,
    reason: SessionEndReason,
  ): Promise<void> {
    await this.ensure(sessionId, seed);
    await this.knex('chat_sessions')
      .where({ session_id: sessionId })
      .update({ status: 'ended', ended_at: endedAt, end_reason: reason });
  }

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    return (await this.knex('chat_sessions').where({ session_id: sessionId }).first()) as SessionRecord | undefined;
  }

  /** One owner's sessions, newest first, keyset-paginated. */
  async list(
    owner: string,
    options: { limit: number; cursor?: string; status?: 'active' | 'ended' },
  ): Promise<SessionPage> {
    const query = this.knex('chat_sessions').where({ owner });
    if (options.status) query.andWhere({ status: options.status });
    if (options.cursor) {
      const [createdAt, sessionId] = decodeCursor(options.cursor);
      void query.andWhere((q) => {
        void q.where('created_at', '<', createdAt).orWhere((q2) => {
          void q2.where('created_at', '=', createdAt).andWhere('session_id', '<', sessionId);
        });
      });
    }
    const rows = (await query
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'session_id', order: 'desc' },
      ])
      .limit(options.limit + 1)) as SessionRecord[];
    const page = rows.slice(0, options.limit);
    return { sessions: page, next_cursor: rows.length > options.limit ? encodeCursor(page[page.length - 1]) : null };
  }
}
