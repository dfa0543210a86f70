import type { Knex } from 'knex';
import { backendOfKnex } from '../store/knex';
import type { Memory, MemoryCandidate } from './memory-ranking';
import { blobToVector, cosineSimilarity, vectorToBlob } from './memory-vectors';

/** What a `remember` call stores: who owns it and which call of which turn wrote it. */
export interface NewMemory {
  owner: string;
  content: string;
  session_id: string;
  turn_id: string;
  call_id: string;
  created_at: string;
}

/** Where a search may also look: the unconfirmed memories of the turn that is running. */
export interface RunningTurn {
  session_id: string;
  turn_id: string;
}

const COLUMNS = ['id', 'content', 'session_id', 'turn_id', 'created_at'] as const;

/** A row of `memories` as Knex sees the table. */
type MemoryRow = NewMemory & Memory & { confirmed: boolean; embedding: Buffer | null; embedding_model: string | null };

/** The one index query a search makes, per backend: matching memories, best first. */
function keywordQuery(terms: readonly string[]): { sqlite: string; pg: string } {
  return {
    // Prefix terms ("unit"* matches "units"); the words are letters and digits only (memory-keywords.ts).
    sqlite: terms.map((t) => `"${t}"*`).join(' OR '),
    pg: terms.map((t) => `${t}:*`).join(' | '),
  };
}

/**
 * The `memories` table: long-term facts per principal. Every read is scoped by owner; writes
 * from a turn stay unconfirmed (visible to that turn only) until its archive confirms them.
 */
export class MemoryStore {
  /** Whether SQLite loaded sqlite-vec (knex.ts); asked once. */
  private sqliteVec?: Promise<boolean>;

  constructor(private readonly knex: Knex) {}

  /** The principal that owns a session (the API writes the row before the first turn), or undefined. */
  async ownerOfSession(sessionId: string): Promise<string | undefined> {
    const row = await this.knex<{ session_id: string; owner: string }>('chat_sessions')
      .where({ session_id: sessionId })
      .first('owner');
    return row?.owner;
  }

  /** Stores once per (turn, call): a retried call gets the memory the first attempt stored. */
  async add(memory: NewMemory): Promise<Memory> {
    await this.knex('memories').insert(memory).onConflict(['turn_id', 'call_id']).ignore();
    const row = await this.knex<MemoryRow>('memories')
      .where({ turn_id: memory.turn_id, call_id: memory.call_id })
      .first(...COLUMNS);
    if (!row) throw new Error(`memory of call ${memory.call_id} vanished after its insert`);
    return normalise(row);
  }

  /**
   * Memories of `owner` containing any of `terms`, in the index's order (SQLite FTS5 bm25(),
   * Postgres ts_rank_cd over a `simple` tsvector), at most `limit`. Confirmed ones, and the
   * running turn's own.
   */
  async search(
    owner: string,
    terms: readonly string[],
    limit: number,
    running?: RunningTurn,
  ): Promise<MemoryCandidate[]> {
    if (terms.length === 0) return [];
    const query = keywordQuery(terms);
    const visible = (q: Knex.QueryBuilder) =>
      q.where('m.owner', owner).andWhere((w) => {
        void w.where('m.confirmed', true);
        if (running) void w.orWhere({ 'm.session_id': running.session_id, 'm.turn_id': running.turn_id });
      });
    const columns = COLUMNS.map((c) => `m.${c}`);
    const rows: unknown =
      backendOfKnex(this.knex) === 'postgres'
        ? await visible(
            this.knex('memories as m')
              .select(columns)
              .whereRaw(`m.search @@ to_tsquery('simple', ?)`, [query.pg])
              .orderByRaw(`ts_rank_cd(m.search, to_tsquery('simple', ?)) desc, m.id desc`, [query.pg])
              .limit(limit),
          )
        : await visible(
            // CROSS JOIN keeps the full-text match as the outer loop: with a plain join SQLite may walk
            // the owner's rows and run the whole MATCH once per row.
            this.knex('memories_fts')
              .joinRaw('cross join memories as m on m.id = memories_fts.rowid')
              .select(columns)
              .whereRaw('memories_fts match ?', [query.sqlite])
              .orderByRaw('bm25(memories_fts), m.id desc')
              .limit(limit),
          );
    return (rows as Memory[]).map(normalise);
  }

  /** Keeps a memory's vector (from `model`); a memory already embedded by that model is left as it is. */
  async setEmbedding(id: number, model: string, vector: Float32Array): Promise<void> {
    await this.knex<MemoryRow>('memories')
      .where({ id })
      .andWhere((w) => void w.whereNull('embedding_model').orWhereNot('embedding_model', model))
      .update({ embedding: vectorToBlob(vector), embedding_model: model });
  }

  /**
   * The owner's memories embedded by `model`, most similar to `vector` first, at most `limit`, each
   * with its cosine similarity. SQLite ranks with sqlite-vec's vec_distance_cosine (a scan of the
   * owner's vectors in C); Postgres (no pgvector assumed) and a SQLite without the extension read
   * the owner's vectors and rank them in process.
   */
  async searchByVector(
    owner: string,
    model: string,
    vector: Float32Array,
    limit: number,
    running?: RunningTurn,
  ): Promise<MemoryCandidate[]> {
    const visible = this.knex('memories as m')
      .where({ 'm.owner': owner, 'm.embedding_model': model })
      .andWhere((w) => {
        void w.where('m.confirmed', true);
        if (running) void w.orWhere({ 'm.session_id': running.session_id, 'm.turn_id': running.turn_id });
      });
    const columns = COLUMNS.map((c) => `m.${c}`);
    if (await this.hasSqliteVec()) {
      const rows: unknown = await visible
        .select([
          ...columns,
          this.knex.raw('1 - vec_distance_cosine(m.embedding, ?) as similarity', [vectorToBlob(vector)]),
        ])
        .orderBy('similarity', 'desc')
        .limit(limit);
      return (rows as Array<Memory & { similarity: number }>).map((r) => ({
        ...normalise(r),
        similarity: r.similarity,
      }));
    }
    const rows: unknown = await visible.select([...columns, 'm.embedding']);
    return (rows as Array<Memory & { embedding: Buffer }>)
      .map((r) => ({ ...normalise(r), similarity: cosineSimilarity(vector, blobToVector(r.embedding)) }))
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, limit);
  }

  private hasSqliteVec(): Promise<boolean> {
    if (backendOfKnex(this.knex) === 'postgres') return Promise.resolve(false);
    this.sqliteVec ??= this.knex.raw('select vec_version()').then(
      () => true,
      () => false,
    );
    return this.sqliteVec;
  }

  /** The owner's confirmed memories, newest first. */
  async list(owner: string, limit: number): Promise<Memory[]> {
    const rows = await this.knex<MemoryRow>('memories')
      .where({ owner, confirmed: true })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit)
      .select(...COLUMNS);
    return rows.map(normalise);
  }

  /** Deletes one of the owner's memories; false when the owner has none with that id. */
  async delete(owner: string, id: number): Promise<boolean> {
    return (await this.knex('memories').where({ owner, id }).delete()) > 0;
  }

  /** Forgets everything the owner stored; the number of memories deleted. */
  async deleteAll(owner: string): Promise<number> {
    return this.knex('memories').where({ owner }).delete();
  }

  /**
   * Settles a finished turn's memories: kept (confirmed) unless the turn was cancelled, then
   * deleted. Idempotent; a `remember` that lands after its cancelled turn was settled stays
   * unconfirmed, never seen.
   */
  async settleTurn(sessionId: string, turnId: string, kept: boolean, db: Knex | Knex.Transaction = this.knex) {
    const ofTurn = db('memories').where({ session_id: sessionId, turn_id: turnId });
    await (kept ? ofTurn.update({ confirmed: true }) : ofTurn.delete());
  }
}

/** Postgres' serial comes back as a number, SQLite's too; dates are ISO strings on both (knex.ts). */
function normalise(row: Memory): Memory {
  return {
    id: Number(row.id),
    content: row.content,
    session_id: row.session_id,
    turn_id: row.turn_id,
    created_at: row.created_at,
  };
}
